/**
 * Worker thread of file-ingest.ts: reads a capture file, decodes TCP and reassembles it (`PacketReassembly`), and
 * posts the events in batches (reassembly-wire.ts) to the thread that owns the session. At most MAX_IN_FLIGHT
 * batches wait there at a time, so a slower session bounds the memory instead of the whole file queuing up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureFileError } from '../files/capture-model';
import { CaptureFileReader } from '../files/capture-file-reader';
import { PacketReassembly } from './packet-reassembly';
import { ReassemblyEventWriter } from './reassembly-wire';
import type { ReassemblyEvent } from './tcp-reassembly';

/** What file-ingest.ts starts the worker with, sends once the session exists, and gets back. */
export interface ReassemblyWorkerData {
  path: string;
  /** Int32 [0]: batches posted and not yet applied. */
  inFlight: SharedArrayBuffer;
}

export interface ReassemblyWorkerStart {
  /** One byte per port: 1 where the port identifies the server of a connection seen mid-stream. */
  serverPorts: Uint8Array;
}

export type ReassemblyWorkerMessage =
  | { type: 'events'; buffer: ArrayBuffer; length: number }
  | { type: 'done'; stats: PacketReassembly['stats']; error?: { kind: CaptureFileError['kind']; offset: number; message: string } | { message: string } };

export const MAX_IN_FLIGHT = 8;

async function run(data: ReassemblyWorkerData, start: ReassemblyWorkerStart): Promise<void> {
  const port = parentPort!;
  const inFlight = new Int32Array(data.inFlight);
  const { serverPorts } = start;
  const reassembly = new PacketReassembly((p) => serverPorts[p] === 1);
  const writer = new ReassemblyEventWriter();
  const events: ReassemblyEvent[] = [];
  const post = (): void => {
    if (writer.length === 0) return;
    for (let n = Atomics.load(inFlight, 0); n >= MAX_IN_FLIGHT; n = Atomics.load(inFlight, 0)) Atomics.wait(inFlight, 0, n);
    Atomics.add(inFlight, 0, 1);
    const { buffer, length } = writer.take();
    port.postMessage({ type: 'events', buffer, length } satisfies ReassemblyWorkerMessage, [buffer]);
  };
  const flush = (): void => {
    for (const e of events) writer.write(e);
    events.length = 0;
  };
  let error: Extract<ReassemblyWorkerMessage, { type: 'done' }>['error'];
  try {
    for await (const batch of new CaptureFileReader(data.path).batches()) {
      for (const p of batch) {
        reassembly.push(p, events);
        flush();
      }
      post();
    }
  } catch (e) {
    error = e instanceof CaptureFileError ? { kind: e.kind, offset: e.offset, message: e.message } : { message: (e as Error)?.message ?? String(e) };
  }
  // As PacketIngest after a damaged file: what was read is reassembled to the end, then the error is reported.
  reassembly.end(events);
  flush();
  post();
  port.postMessage({ type: 'done', stats: reassembly.stats, error } satisfies ReassemblyWorkerMessage);
}

if (parentPort) parentPort.once('message', (start: ReassemblyWorkerStart) => void run(workerData as ReassemblyWorkerData, start));

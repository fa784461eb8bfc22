/**
 * A capture file into a PacketIngest, ended when the file is. For a large file, where the built worker script is
 * at hand (the CLI bundle), reading, TCP decoding and reassembly run on a worker thread (file-reassembly-worker.ts)
 * while this thread deframes, indexes and filters, so the file takes about as long as the slower half. The events
 * arrive in the order one thread would have made them, so frame numbers, pairing and output are the same. Small
 * files, a single core, and tests and tools that run the TypeScript sources use this thread only.
 *
 * A damaged file throws its CaptureFileError after every packet before the damage has been ingested and the
 * ingest ended, either way.
 *
 * `openCaptureFile` starts the worker before the session exists, so the worker's start (a Node instance and its
 * modules) overlaps the caller's loading the protocols; the worker waits for the server-port table, which only the
 * session knows, before it reassembles.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CaptureFileReader } from '../files/capture-file-reader';
import { CaptureFileError } from '../files/capture-model';
import type { PacketIngest } from './packet-ingest';
import { readReassemblyEvents } from './reassembly-wire';
import type { ReassemblyWorkerData, ReassemblyWorkerMessage, ReassemblyWorkerStart } from './file-reassembly-worker';
import type { ReassemblyEvent } from './tcp-reassembly';

/** The worker script, beside this module in the CLI bundle (scripts/build-cli.mjs builds it as its own entry). */
const WORKER_URL = new URL('./file-reassembly-worker.mjs', import.meta.url);
/**
 * Smaller files are read on this thread: a worker takes some 40 ms to start (a Node instance of its own), about what
 * it saves on 4 MiB of packets.
 */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;

export interface FileIngestOptions {
  /**
   * The worker script to reassemble on, or false for this thread (default: the built one, for a large file on a
   * machine with more than one core).
   */
  worker?: URL | false;
}

export async function ingestCaptureFile(path: string, ingest: PacketIngest, options: FileIngestOptions = {}): Promise<void> {
  return openCaptureFile(path, options).ingest(ingest);
}

/** A capture file whose reading may already have begun; `ingest` (once) feeds it to a session's PacketIngest. */
export interface OpenedCaptureFile {
  ingest(ingest: PacketIngest): Promise<void>;
}

/** Starts reading `path` at once where it goes to a worker (see the top of this file); else reads it on `ingest`. */
export function openCaptureFile(path: string, options: FileIngestOptions = {}): OpenedCaptureFile {
  const script = options.worker ?? (WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL)) && size(path) >= WORKER_MIN_BYTES && availableParallelism() > 1 && WORKER_URL);
  if (!script) return { ingest: (ingest) => ingestHere(path, ingest) };
  const inFlight = new SharedArrayBuffer(4);
  const data: ReassemblyWorkerData = { path, inFlight };
  const worker = new Worker(script, { workerData: data });
  // Until it is given a session the worker only waits: it must neither keep the process alive (the caller may fail
  // first, on a bad filter) nor lose an error of its start.
  worker.unref();
  let startError: unknown;
  const noteStartError = (e: unknown): void => { startError ??= e; };
  worker.on('error', noteStartError);
  return {
    ingest: (ingest) => {
      worker.off('error', noteStartError);
      worker.ref();
      if (startError !== undefined) {
        void worker.terminate();
        return Promise.reject(startError);
      }
      return ingestOnWorker(worker, new Int32Array(inFlight), path, ingest);
    },
  };
}

async function ingestHere(path: string, ingest: PacketIngest): Promise<void> {
  try {
    for await (const batch of new CaptureFileReader(path).batches()) for (const p of batch) ingest.push(p);
  } finally {
    ingest.end();
  }
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // the reader reports what is wrong with the file
  }
}

function ingestOnWorker(worker: Worker, counter: Int32Array, path: string, ingest: PacketIngest): Promise<void> {
  const start: ReassemblyWorkerStart = { serverPorts: ingest.serverPortMap() };
  worker.postMessage(start);
  const events: ReassemblyEvent[] = [];
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const stop = (): void => {
      settled = true;
      // A worker waiting for room must wake up to be terminated.
      Atomics.store(counter, 0, 0);
      Atomics.notify(counter, 0);
      void worker.terminate();
    };
    const fail = (e: unknown): void => {
      if (settled) return;
      stop();
      reject(e);
    };
    worker.on('message', (m: ReassemblyWorkerMessage) => {
      if (settled) return;
      try {
        if (m.type === 'events') {
          events.length = 0;
          readReassemblyEvents(m.buffer, m.length, (e) => events.push(e));
          ingest.applyEvents(events);
          Atomics.sub(counter, 0, 1);
          Atomics.notify(counter, 0);
          return;
        }
        ingest.applyEvents([], m.stats);
        stop();
        if (!m.error) resolve();
        else if ('kind' in m.error) reject(Object.assign(new CaptureFileError(m.error.kind, m.error.offset, ''), { message: m.error.message }));
        else reject(new Error(m.error.message));
      } catch (e) {
        fail(e);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the reassembly worker stopped (exit code ${code}) before the end of ${path}`)));
  });
}

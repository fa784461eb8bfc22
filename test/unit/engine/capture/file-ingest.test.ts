/**
 * A capture file through ingestCaptureFile on a worker thread must give the session exactly what the same file gives
 * on one thread: frames in the same order with the same numbers, pairs and bytes, the same connections, the same
 * counts, and a damaged file's error after the same frames. The reassembly events cross the thread boundary as bytes
 * (reassembly-wire.ts), which must decode to the events written.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCaptureFile } from '../../../../electron/engine/capture/file-ingest';
import { PacketIngest } from '../../../../electron/engine/capture/packet-ingest';
import { readReassemblyEvents, ReassemblyEventWriter } from '../../../../electron/engine/capture/reassembly-wire';
import { TcpReassembler, type ReassemblyEvent } from '../../../../electron/engine/capture/tcp-reassembly';
import { CaptureFileReader } from '../../../../electron/engine/files/capture-file-reader';
import { encodePcapng, type PacketToWrite } from '../../../../electron/engine/files/pcapng-writer';
import { TcpSynthesizer } from '../../../../electron/engine/files/tcp-synthesizer';
import { decodeTcpPacket } from '../../../../electron/engine/net/tcp-segment';
import { Session } from '../../../../electron/engine/session/session';
import { toHex } from '../../../../shared/codec/bytes';
import { getProtocol } from '../../../../shared/protocols/index';

const FIXTURES = join(__dirname, '../../../fixtures/pcap');
const flyer = getProtocol('flyer')!;
let dir: string;
let workerUrl: URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'framescope-file-ingest-'));
  // The worker as the CLI bundle has it, but in one file: vitest runs the TypeScript sources.
  const out = join(dir, 'file-reassembly-worker.mjs');
  await build({
    entryPoints: [join(__dirname, '../../../../electron/engine/capture/file-reassembly-worker.ts')],
    outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  });
  workerUrl = pathToFileURL(out);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Three flyer connections with PDUs interleaved, one PDU split over two segments and two in one, a segment that
 * arrives after the next one, a retransmission, a reset; a fourth connection on an unknown port (raw bytes).
 */
function flyerCapture(): Uint8Array {
  const t0 = 1_710_000_000_000_000_000n;
  let time = t0;
  const tick = () => (time += 1_000_000n);
  const conns = [0, 1, 2].map((k) => new TcpSynthesizer({ client: { ip: `10.1.0.${k + 2}`, port: 40_000 + k }, server: { ip: '10.0.0.1', port: 20180 } }));
  const other = new TcpSynthesizer({ client: { ip: '10.1.0.9', port: 45_000 }, server: { ip: '10.0.0.1', port: 7000 } });
  const packets: PacketToWrite[] = [];
  for (const c of [...conns, other]) packets.push(...c.open(tick()));
  for (let job = 0; job < 30; job++) {
    const c = conns[job % 3];
    const id = String(1000 + job);
    const request = flyer.encode('ExecuteJob', 's2c', { packet_id: id, jobBeanId: `job${job % 4}`, paramData: '{}' });
    const response = flyer.encode('ExecuteJobResponse', 'c2s', { packet_id: id, jobBeanId: `job${job % 4}`, result: job % 2 });
    if (job === 4) {
      // Split over two segments that are captured in the wrong order, the first one retransmitted.
      const first = c.data('s2c', request.subarray(0, 9), tick());
      const second = c.data('s2c', request.subarray(9), tick());
      packets.push(...second, ...first, ...first);
    } else if (job === 7) {
      packets.push(...c.data('s2c', new Uint8Array([...request, ...request]), tick())); // the same PDU twice in one segment
    } else {
      packets.push(...c.data('s2c', request, tick()));
    }
    packets.push(...c.data('c2s', response, tick()));
    if (job === 20) packets.push(...other.data('c2s', new TextEncoder().encode('hello, unknown protocol'), tick()));
  }
  packets.push(...conns[0].close('fin', 'c2s', tick()), ...conns[1].close('rst', 's2c', tick()), ...other.close('fin', 's2c', tick()));
  return encodePcapng(packets);
}

interface Outcome {
  rows: unknown[];
  bytes: string[];
  connections: unknown[];
  stats: PacketIngest['stats'];
  error?: string;
}

async function ingest(file: string, worker: URL | false): Promise<Outcome> {
  const session = new Session();
  const ingest = new PacketIngest(session, 'file');
  let error: string | undefined;
  try {
    await ingestCaptureFile(file, ingest, { worker });
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const frames = Array.from({ length: session.frameCount }, (_, i) => i);
  // Connection times count from the session's own start: as capture time (ms) they are comparable across sessions.
  const zero = session.relative(0n);
  const ms = (t: number | undefined) => (t === undefined ? undefined : Math.round((t - zero) / 1e6));
  const connections = session.connections().map((c) => ({ ...c, openedAt: ms(c.openedAt), closedAt: ms(c.closedAt) }));
  const outcome = { rows: frames.map((i) => session.row(i)), bytes: frames.map((i) => toHex(session.bytes(i))), connections, stats: { ...ingest.stats }, error };
  session.close(true);
  return outcome;
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('ingestCaptureFile', () => {
  it('gives the same session on a worker thread as on this one (flyer, reordering, retransmission, reset, raw)', async () => {
    const file = write('flyer.pcapng', flyerCapture());
    const here = await ingest(file, false);
    expect(here.rows.length).toBe(62); // 60 PDUs, one of them twice, and the raw bytes
    expect(here.error).toBeUndefined();
    expect(await ingest(file, workerUrl)).toEqual(here);
  });

  it.each(['ipv4-usec.pcap', 'ipv6-nsec.pcapng', 'multi-interface.pcapng', 'two-sections.pcapng'])('gives the same session on a worker thread for %s', async (name) => {
    const file = join(FIXTURES, name);
    const here = await ingest(file, false);
    expect(here.stats.packets).toBeGreaterThan(0);
    expect(await ingest(file, workerUrl)).toEqual(here);
  });

  it('reports a damaged file after the same frames, either way', async () => {
    const whole = flyerCapture();
    const file = write('cut.pcapng', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const here = await ingest(file, false);
    expect(here.error).toMatch(/^CaptureFileError: pcapng block cut short/);
    expect(here.rows.length).toBeGreaterThan(10);
    expect(await ingest(file, workerUrl)).toEqual(here);
  });

  it('stops the worker when the session side fails, even while the worker waits for room', async () => {
    // Many batches: the worker fills the queue and waits while this side throws on an early frame.
    let time = 1_710_000_000_000_000_000n;
    const c = new TcpSynthesizer({ client: { ip: '10.1.0.2', port: 40_000 }, server: { ip: '10.0.0.1', port: 20180 } });
    const packets: PacketToWrite[] = [...c.open(time)];
    for (let job = 0; job < 8000; job++) {
      packets.push(...c.data('s2c', flyer.encode('ExecuteJob', 's2c', { packet_id: String(job), jobBeanId: 'x', paramData: '{}' }), (time += 1000n)));
    }
    const file = write('many.pcapng', encodePcapng(packets));
    const session = new Session({ onFrame: (frame) => { if (frame === 100) throw new Error('onFrame failed'); } });
    await expect(ingestCaptureFile(file, new PacketIngest(session, 'file'), { worker: workerUrl })).rejects.toThrow('onFrame failed');
    session.close(true);
  });

  it('reports a file that is not a capture, either way', async () => {
    const file = write('text.pcapng', new TextEncoder().encode('not a capture at all'));
    const here = await ingest(file, false);
    expect(here.error).toMatch(/^CaptureFileError: not a pcap or pcapng file/);
    expect(await ingest(file, workerUrl)).toEqual(here);
  });
});

describe('reassembly events as bytes', () => {
  it('decode to the events written, across batches', async () => {
    const file = write('wire.pcapng', flyerCapture());
    const reassembler = new TcpReassembler({ isServerPort: (p) => p === 20180 });
    const events: ReassemblyEvent[] = [];
    let n = 0;
    for await (const p of new CaptureFileReader(file)) {
      const d = decodeTcpPacket(p.linkType, p.data);
      if (d.ok) reassembler.push(d.segment, p.timestamp, ++n, events);
    }
    reassembler.end(undefined, events);
    // Every kind the synthetic capture can produce, and the rest by hand.
    events.push(
      { type: 'gap', connectionId: 2, direction: 's2c', offset: 2 ** 40, length: 5000, timestamp: 5n, reason: 'buffer-full' },
      { type: 'overlap', connectionId: 3, direction: 'c2s', offset: 17, length: 3, timestamp: -1n, packet: 12 },
      { type: 'overlap', connectionId: 3, direction: 'c2s', offset: 17, length: 3, timestamp: 2n ** 70n, packet: undefined },
      { type: 'open', connection: { id: 9, ipVersion: 6, client: { ip: 'fe80::1', port: 1 }, server: { ip: '2001:db8::2', port: 65535 }, start: 'midstream' }, timestamp: 0n },
    );
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['open', 'data', 'gap', 'overlap', 'fin', 'close']));
    const writer = new ReassemblyEventWriter(256); // small: the buffer grows, and several batches are taken
    const decoded: ReassemblyEvent[] = [];
    events.forEach((e, i) => {
      writer.write(e);
      if (i % 7 === 6) { const { buffer, length } = writer.take(); readReassemblyEvents(buffer, length, (d) => decoded.push(d)); }
    });
    const { buffer, length } = writer.take();
    readReassemblyEvents(buffer, length, (d) => decoded.push(d));
    expect(decoded.map(plain)).toEqual(events.map(plain));
  });
});

/** Bytes as hex (a view and a copy of the same bytes are equal), undefined fields left out. */
function plain(e: ReassemblyEvent): unknown {
  return JSON.parse(JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? toHex(v) : typeof v === 'bigint' ? v.toString() : v)));
}

describe('PacketIngest.serverPortMap', () => {
  it('says what isServerPort says, for every port, Decode As rules included', () => {
    const session = new Session();
    session.setDecodeAs(9999, 'flyer');
    const ingest = new PacketIngest(session, 'file');
    const map = ingest.serverPortMap();
    const differ = Array.from({ length: 65536 }, (_, p) => p).filter((p) => (map[p] === 1) !== ingest.isServerPort(p));
    expect(differ).toEqual([]);
    expect(map[9999]).toBe(1);
    expect(map[20180]).toBe(1);
    session.close(true);
  });
});

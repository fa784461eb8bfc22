/**
 * Resident memory of a session holding ten million frames: a Session (electron/engine/session) fed directly with
 * small flyer PDUs over a thousand connections (no sockets), its PDU store on disk in a temp dir. Reports RSS and
 * bytes per frame, the time to ingest, and the time to build filtered views over all frames: one filter the frame
 * index answers alone, one on a body field (every frame read back from disk and decoded). Both views must count
 * what the generator knows matches. Writes the table into README.md. Run: `npx tsx bench/memory.bench.ts`.
 *
 * The measuring runs in a child started with `--expose-gc`, so RSS is read after a full collection.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Direction } from '../shared/codec/protocol';
import { getProtocol } from '../shared/protocols/index';
import { Session } from '../electron/engine/session/session';
import { createView, type FrameView } from '../electron/engine/session/views';
import { machineLine, writeReadmeSection } from './readme-table';

/** `BENCH_QUICK=1`: a smoke run with small numbers that leaves README.md alone. */
const QUICK = process.env.BENCH_QUICK === '1';
const FRAMES = QUICK ? 500_000 : 10_000_000;
const CONNECTIONS = 1000;
const GOAL_BYTES = 2e9;
/** Flags the measuring child runs with (said in the table). */
const CHILD_FLAGS = ['--expose-gc'];

const JOBS = ['orderSyncJob', 'invoiceJob', 'archiveJob', 'reportJob', 'billingJob', 'stockSyncJob', 'mailDigestJob', 'cleanupJob', 'payoutJob', 'refundJob'];

interface Pdu { direction: Direction; bytes: Uint8Array; message: string; jobBeanId?: string }

/**
 * One executor's traffic, cycled: a job run (execute, accept, report, ack) and a heartbeat pair, 36 to 90 bytes a
 * PDU. Packet ids are the job's record id, patched per run so every request pairs with its own response.
 */
function templates(): Pdu[][] {
  const flyer = getProtocol('flyer')!;
  const enc = (message: string, direction: Direction, doc: Record<string, unknown>, jobBeanId?: string): Pdu => ({ direction, message, jobBeanId, bytes: flyer.encode(message, direction, doc as never) });
  return JOBS.map((jobBeanId, j) => [
    enc('ExecuteJob', 's2c', { packet_id: '1', jobBeanId, paramData: `{"shard":${j}}` }, jobBeanId),
    enc('ExecuteJobResponse', 'c2s', { packet_id: '1', jobBeanId, result: 0 }, jobBeanId),
    enc('ReportJobResult', 'c2s', { packet_id: '1', jobBeanId, result: j % 4 === 3 ? 1 : 0, logStr: j % 4 === 3 ? 'java.lang.IllegalStateException' : 'finished in 12 ms' }, jobBeanId),
    enc('ReportJobResultResponse', 's2c', { packet_id: '1', jobBeanId, result: 0 }, jobBeanId),
    enc('Heartbeat', 'c2s', { packet_id: '0', appCode: 'executor', vhost: '', req: 0 }),
    enc('HeartbeatResponse', 's2c', { packet_id: '0', resp: 1, serverVersion: 7 }),
  ]);
}

const FILTERS = {
  index: { filter: 'fs.message == "ReportJobResult"', expect: (p: Pdu) => p.message === 'ReportJobResult' },
  body: { filter: 'flyer.jobBeanId == "invoiceJob"', expect: (p: Pdu) => p.jobBeanId === 'invoiceJob' },
};

function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

const mb = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;

function timeView(session: Session, text: string): { view: FrameView; seconds: number; count: number } {
  const t0 = performance.now();
  const view = createView(session, text);
  if ('error' in view) throw new Error(`${text}: ${view.error.message}`);
  const { count } = view.update();
  return { view, seconds: (performance.now() - t0) / 1000, count };
}

function measure(): void {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-memory-bench-'));
  const load0 = loadavg()[0];
  try {
    const runs = templates();
    const session = new Session({ pduStorePath: join(dir, 'pdus.bin') });
    const ids: number[] = [];
    for (let k = 0; k < CONNECTIONS; k++) {
      ids.push(session.openConnection({ source: 'capture', client: { host: `10.1.${k >> 8}.${k & 255}`, port: 40_000 + k }, server: { host: '10.0.0.1', port: 20180 }, protocol: 'flyer' }));
    }
    gcNow();
    const before = process.memoryUsage();

    // Connection k sends its steps in order; the connection of each next PDU is picked round robin.
    const step = new Uint32Array(CONNECTIONS);
    const expected = { index: 0, body: 0 };
    const t0ns = 1_710_000_000_000_000_000n;
    const started = performance.now();
    for (let i = 0; i < FRAMES; i++) {
      const k = i % CONNECTIONS;
      const s = step[k]++;
      const jobRun = Math.floor(s / 6);
      const pdu = runs[(k + jobRun) % runs.length][s % 6];
      const bytes = pdu.bytes.slice();
      if (pdu.jobBeanId) new DataView(bytes.buffer).setUint32(12, k * 100_000 + jobRun + 1, true); // packet id = record id
      session.data(ids[k], pdu.direction, bytes, t0ns + BigInt(i) * 1000n);
      if (FILTERS.index.expect(pdu)) expected.index++;
      if (FILTERS.body.expect(pdu)) expected.body++;
      if ((i + 1) % 1_000_000 === 0) process.stdout.write(`${(i + 1) / 1e6} M frames, RSS ${mb(process.memoryUsage().rss)}\n`);
    }
    session.flush();
    const ingestSeconds = (performance.now() - started) / 1000;
    if (session.frameCount !== FRAMES) throw new Error(`the session holds ${session.frameCount} frames, ${FRAMES} were fed`);
    gcNow();
    const after = process.memoryUsage();
    const storeBytes = statSync(join(dir, 'pdus.bin')).size;

    const byIndex = timeView(session, FILTERS.index.filter);
    const byBody = timeView(session, FILTERS.body.filter);
    let failed = false;
    if (byIndex.count !== expected.index) { failed = true; console.error(`${FILTERS.index.filter}: view has ${byIndex.count} frames, expected ${expected.index}`); }
    if (byBody.count !== expected.body) { failed = true; console.error(`${FILTERS.body.filter}: view has ${byBody.count} frames, expected ${expected.body}`); }
    gcNow();
    const withViews = process.memoryUsage();

    const perFrame = (after.rss - before.rss) / FRAMES;
    const peak = process.resourceUsage().maxRSS * 1024;
    const goal = peak <= GOAL_BYTES;
    const lines = [
      `Measured by \`npm run bench\` on ${machineLine()}, load average ${load0.toFixed(1)} at the start; \`node ${CHILD_FLAGS.join(' ')}\` (no heap-size flag needed).`,
      `${FRAMES.toLocaleString('en-US')} flyer PDUs (${(storeBytes / FRAMES).toFixed(0)} bytes on average: job runs and heartbeats, every request paired with its response) fed to \`Session.data\` one PDU per call over ${CONNECTIONS.toLocaleString('en-US')} connections, the PDU store on disk in a temp dir. RSS after a full GC.`,
      '',
      '| what | value |',
      '|---|---:|',
      `| RSS with the empty session | ${mb(before.rss)} |`,
      `| **RSS with ${(FRAMES / 1e6).toFixed(FRAMES % 1e6 ? 1 : 0)} M frames** | **${mb(after.rss)}** |`,
      `| bytes per frame (RSS growth / frames) | ${perFrame.toFixed(1)} B |`,
      `| of which the frame index (typed arrays) | ${(session.index.memoryBytes / FRAMES).toFixed(1)} B |`,
      `| of which the JS heap (pairing, statistics, connections) | ${((after.heapUsed - before.heapUsed) / FRAMES).toFixed(1)} B |`,
      `| PDU store on disk | ${mb(storeBytes)} |`,
      `| ingest time | ${ingestSeconds.toFixed(1)} s (${((ingestSeconds * 1e9) / FRAMES).toFixed(0)} ns a frame) |`,
      `| view \`${FILTERS.index.filter}\` (frame index only) | ${byIndex.seconds.toFixed(2)} s, ${byIndex.count.toLocaleString('en-US')} frames |`,
      `| view \`${FILTERS.body.filter}\` (each frame read back from the store, 64 KiB of the file at a time, the field extracted: \`Protocol.extract\`, no tree) | ${byBody.seconds.toFixed(1)} s, ${byBody.count.toLocaleString('en-US')} frames |`,
      `| RSS with both views | ${mb(withViews.rss)} |`,
      `| peak RSS of the process (garbage not yet collected included) | ${mb(peak)} |`,
      '',
      `Goal: ≤ 2 GB RSS with ten million frames — **${goal ? 'met' : 'not met'}**: ${mb(after.rss)} after a collection, ${mb(peak)} at the peak.`,
    ];
    if (!QUICK) writeReadmeSection('memory', lines.join('\n'));
    console.log(`\n${lines.join('\n')}\n\n${QUICK ? 'Quick run: README.md left alone.' : 'README.md updated.'}`);
    session.close(true);
    if (failed) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'measure') {
  measure();
} else {
  const child = fork(fileURLToPath(import.meta.url), ['measure'], { execArgv: [...process.execArgv, ...CHILD_FLAGS], stdio: 'inherit' });
  child.on('exit', (code) => { process.exitCode = code ?? 1; });
}

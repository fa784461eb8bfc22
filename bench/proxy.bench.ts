/**
 * The proxy's cost, all variants in one run: round-trip latency of a 100-byte flyer request/response (ReportJobResult
 * → ReportJobResultResponse) directly, through a naive `pipe()` proxy, through `ProxyListener` with decoding and
 * recording on (Session with its PDU store on disk + sessionRecorder), through the `framescope proxy` command
 * (which also writes pcapng), and through mitmdump in reverse raw-TCP mode when it is installed; then bulk
 * throughput of tt MsgData PDUs in 64 KiB writes through our proxy and the naive pipe.
 *
 * Processes: this one orchestrates; the latency upstream runs in a process of its own, the client and the bulk sink
 * in a "peers" process, every proxy in a process of its own, so no proxy shares an event loop with the traffic it
 * relays and a round trip without a proxy wakes two processes, as between a real client and server. Latency blocks
 * rotate over the variants so a noisy neighbour hurts them alike. Run: `npx tsx bench/proxy.bench.ts`.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCapture } from '../electron/engine/files/capture-file-reader';
import { decodeTcpPacket } from '../electron/engine/net/tcp-segment';
import { DEFAULT_BUSY_POLL_MICROS } from '../electron/engine/util/busy-poll';
import { machineLine, writeReadmeSection } from './readme-table';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const CLI = join(ROOT, 'bin', 'framescope.js');
const HOST = '127.0.0.1';

/** `BENCH_QUICK=1`: a smoke run with small numbers that leaves README.md alone. */
const QUICK = process.env.BENCH_QUICK === '1';
const LATENCY = QUICK ? { warmupPerConnection: 50, roundsPerBlock: 200, blocks: 2 } : { warmupPerConnection: 300, roundsPerBlock: 2000, blocks: 12 };
const BULK = { bytes: QUICK ? 1 << 26 : 1 << 30, write: 64 * 1024, runs: QUICK ? 1 : 3, pduSizes: [64 * 1024, 1024] };
/**
 * While tuning: `BENCH_ONLY=bulk` measures only bulk throughput (`BENCH_PDU=1024` only that PDU size) and prints its
 * rows, leaving README.md alone (`BENCH_MIB`, `BENCH_RUNS`: how much, how often); `BENCH_CPU_PROF=<dir>` writes a CPU
 * profile of the recording bulk proxy there.
 */
const BULK_ONLY = process.env.BENCH_ONLY === 'bulk';
/** `BENCH_ONLY=latency`: the latency rows alone, full size, printed; README.md left alone. */
const LATENCY_ONLY = process.env.BENCH_ONLY === 'latency';
if (process.env.BENCH_PDU) BULK.pduSizes = [Number(process.env.BENCH_PDU)];
if (process.env.BENCH_MIB) BULK.bytes = Number(process.env.BENCH_MIB) << 20;
if (process.env.BENCH_RUNS) BULK.runs = Number(process.env.BENCH_RUNS);
const CPU_PROF = process.env.BENCH_CPU_PROF;

// ---------------------------------------------------------------------------------------------------------------
// Messages between the orchestrator and its children

type ToPeers =
  | { op: 'latency'; id: number; port: number; rounds: number; warmup: number }
  | { op: 'bulk'; id: number; port: number; bytes: number; pduSize: number };
type ToProxy = { op: 'stats'; id: number };
type FromChild =
  | { op: 'ready'; port: number }
  | { op: 'result'; id: number; samples?: number[]; seconds?: number; error?: string }
  | { op: 'stats'; id: number; stats: RecordedStats };

interface RecordedStats {
  frames: number;
  connections: number;
  malformed: number;
  /** Responses paired with their request (the decoder and pairing really ran). */
  paired: number;
  messages: Record<string, number>;
}

/** Omit over each member of a union. */
type Request<T> = T extends unknown ? Omit<T, 'id'> : never;

let nextId = 1;
function call(child: ChildProcess, msg: Request<ToPeers | ToProxy>): Promise<FromChild> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromChild): void => {
      if ('id' in m && m.id === id) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (m.op === 'result' && m.error) reject(new Error(m.error)); else resolve(m);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`child exited (${code}) during ${msg.op}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ ...msg, id });
  });
}

/**
 * The bulk proxies, every one of them, run with glibc's heap trimming off. Node allocates a buffer for each socket
 * read; glibc handing the freed heap back to the system and faulting it in again made any proxy's rate, the pipe's
 * included, vary fivefold between runs on this VM (a few hundred to 200,000 page faults per GiB), which measured
 * the allocator's luck rather than the proxies. Other allocators (macOS, Windows, musl) ignore the variable.
 */
const BULK_ENV = { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=4194304' };

function forkRole(role: string, args: string[] = [], execArgv: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SELF, [role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...execArgv], env });
  return new Promise((resolve, reject) => {
    child.once('message', (m: FromChild) => (m.op === 'ready' ? resolve({ child, port: m.port }) : reject(new Error(`unexpected ${m.op}`))));
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before it was ready`)));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The PDUs: real flyer and tt frames, encoded by the codec

async function pdus() {
  const { getProtocol } = await import('../shared/protocols/index');
  const flyer = getProtocol('flyer')!;
  const tt = getProtocol('tt')!;
  const request = flyer.encode('ReportJobResult', 'c2s', { packet_id: '1', jobBeanId: 'orderSyncJob', result: 0, logStr: 'job finished in 12 ms, 3 rows, ok'.padEnd(63, '.') });
  const response = flyer.encode('ReportJobResultResponse', 's2c', { packet_id: '1', jobBeanId: 'orderSyncJob'.padEnd(77, '0'), result: 0 });
  if (request.length !== 100 || response.length !== 100) throw new Error(`flyer PDUs are ${request.length}/${response.length} bytes, not 100`);
  /** One 64 KiB write of MsgData PDUs of `size` bytes each, seq_no from `seq`. */
  const msgDataWrite = (size: number, seq: number): Uint8Array => {
    const out = new Uint8Array(BULK.write);
    for (let at = 0, i = 0; at < out.length; at += size, i++) {
      const text = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(size / 45)).slice(0, size - 45); // 45 = header and the fixed MsgData fields
      const pdu = tt.encode('MsgData', 'c2s', { reserved: 0, seq_no: seq + i, from_id_url: '1001', to_id_url: '1002', create_time: 1710000000, msg_type: 1, msg_data: Buffer.from(text).toString('hex'), attach_data: '' });
      if (pdu.length !== size) throw new Error(`MsgData is ${pdu.length} bytes, wanted ${size}`);
      out.set(pdu, at);
    }
    return out;
  };
  return { request, response, msgDataWrite };
}

/** flyer packet id: u64 LE at offset 12 (the response echoes the request's, as §1.3 says). */
const PACKET_ID = 12;

// ---------------------------------------------------------------------------------------------------------------
// Peers: the latency upstream in a process of its own, as a real server is (so a round trip without a proxy pays
// the wake-ups of two processes, as it would between a real client and server); the client and the bulk sink in
// another (the bulk run's end is seen by the sink, its start by the client).

async function upstream(): Promise<void> {
  const { request, response } = await pdus();
  const server = createServer({ noDelay: true }, (s) => {
    s.setNoDelay(true);
    s.on('error', () => s.destroy());
    let pending: Buffer = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= request.length) {
        const reply = Buffer.from(response);
        pending.copy(reply, PACKET_ID, PACKET_ID, PACKET_ID + 8);
        s.write(reply);
        pending = pending.subarray(request.length);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  process.on('disconnect', () => process.exit(0));
  process.send!({ op: 'ready', port: (server.address() as { port: number }).port });
}

async function peers(): Promise<void> {
  const { request, response, msgDataWrite } = await pdus();
  let sink: { bytes: number; done: () => void } | undefined;

  const server = createServer({ noDelay: true }, (s) => {
    s.setNoDelay(true);
    s.on('error', () => s.destroy());
    const m = sink;
    if (!m) { s.destroy(); return; }
    let got = 0;
    s.on('data', (chunk: Buffer) => { got += chunk.length; if (got === m.bytes) m.done(); });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));

  const latency = (port: number, rounds: number, warmup: number): Promise<number[]> => new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port, noDelay: true });
    const samples: number[] = [];
    let n = 0;
    let got = 0;
    let t0 = 0n;
    let last: Buffer | undefined;
    const send = (): void => {
      const req = Buffer.from(request);
      req.writeUInt32LE(n + 1, PACKET_ID);
      got = 0;
      last = undefined;
      t0 = process.hrtime.bigint();
      s.write(req);
    };
    s.on('connect', send);
    s.on('error', reject);
    s.on('data', (chunk: Buffer) => {
      got += chunk.length;
      last = last ? Buffer.concat([last, chunk]) : chunk;
      if (got < response.length) return;
      const dt = Number(process.hrtime.bigint() - t0);
      if (got !== response.length || last.readUInt32LE(PACKET_ID) !== n + 1) { s.destroy(); reject(new Error(`round ${n}: unexpected reply of ${got} bytes`)); return; }
      if (n >= warmup) samples.push(dt / 1000);
      if (++n === warmup + rounds) {
        // destroy, not end: mitmdump 8 never finishes a client's half-close, so waiting for 'close' would hang.
        s.destroy();
        resolve(samples);
      } else send();
    });
  });

  const bulk = (port: number, bytes: number, pduSize: number): Promise<number> => new Promise((resolve, reject) => {
    // 16 different writes (distinct seq_no) cycled: the proxy sees a stream, not one repeated buffer.
    const writes = Array.from({ length: 16 }, (_, i) => Buffer.from(msgDataWrite(pduSize, 1 + i * (BULK.write / pduSize))));
    const t0 = process.hrtime.bigint();
    sink = {
      bytes,
      done: () => { resolve(Number(process.hrtime.bigint() - t0) / 1e9); s.destroy(); sink = undefined; },
    };
    const s = connect({ host: HOST, port, noDelay: true });
    s.on('error', reject);
    let sent = 0;
    let i = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += BULK.write;
        if (!s.write(writes[i++ & 15])) { s.once('drain', pump); return; }
      }
    };
    s.on('connect', pump);
  });

  process.on('message', (m: ToPeers) => {
    const job = m.op === 'latency'
      ? latency(m.port, m.rounds, m.warmup).then((samples) => ({ samples }))
      : bulk(m.port, m.bytes, m.pduSize).then((seconds) => ({ seconds }));
    job.then((r) => process.send!({ op: 'result', id: m.id, ...r }), (e: Error) => process.send!({ op: 'result', id: m.id, error: e.message }));
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ op: 'ready', port: (server.address() as { port: number }).port });
}

// ---------------------------------------------------------------------------------------------------------------
// Proxies under test

/**
 * ProxyListener + Session (PDU store in a temp dir) + sessionRecorder: the engine's live path. With protocol `off`
 * the recorder does nothing: the relay alone, to tell its cost from the recording's.
 */
async function framescopeProxy(upstreamPort: number, protocol: string, busyPollMicros?: number): Promise<void> {
  const { Session } = await import('../electron/engine/session/session');
  const { ProxyListener } = await import('../electron/engine/proxy/proxy-listener');
  const { sessionRecorder } = await import('../electron/engine/proxy/session-recorder');
  const dir = mkdtempSync(join(tmpdir(), 'framescope-proxy-bench-'));
  const session = new Session({ pduStorePath: join(dir, 'pdus.bin') });
  const recorder = protocol === 'off' ? { open: () => 0, record: () => undefined } : sessionRecorder(session, { protocol });
  const listener = new ProxyListener({ port: 0, host: HOST, upstream: { host: HOST, port: upstreamPort }, recorder, busyPollMicros });
  const port = await listener.listen();
  process.on('message', (m: ToProxy) => {
    let malformed = 0;
    let paired = 0;
    for (let i = 0; i < session.frameCount; i++) {
      if (session.index.malformed(i) || session.index.skipped(i)) malformed++;
      if (session.responseTime(i) !== undefined) paired++;
    }
    const messages = Object.fromEntries(session.messageStats().map((s) => [`${s.protocol} ${s.message}`, s.count]));
    const stats: RecordedStats = { frames: session.frameCount, connections: session.connectionCount, malformed, paired, messages };
    process.send!({ op: 'stats', id: m.id, stats });
  });
  process.on('disconnect', () => {
    void listener.close().then(() => { session.close(true); rmSync(dir, { recursive: true, force: true }); process.exit(0); });
  });
  process.send!({ op: 'ready', port });
}

/** What one would write in five minutes: accept, dial, pipe both ways. */
async function pipeProxy(upstreamPort: number): Promise<void> {
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ host: HOST, port: upstreamPort, noDelay: true });
    const kill = (): void => { client.destroy(); upstream.destroy(); };
    client.on('error', kill);
    upstream.on('error', kill);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  process.on('disconnect', () => process.exit(0));
  process.send!({ op: 'ready', port: (server.address() as { port: number }).port });
}

// ---------------------------------------------------------------------------------------------------------------
// External proxies: the framescope command and mitmdump

interface External {
  name: string;
  proc: ChildProcess;
  port: number;
  cleanup: () => Promise<void>;
  /** After cleanup: what the proxy wrote, counted (data segments in its pcapng). */
  check?: () => number;
}

async function waitForPort(port: number, proc: ChildProcess, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s: Socket = connect({ host: HOST, port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listens on ${port} after ${seconds} s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, HOST, () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

async function framescopeCommand(upstreamPort: number, dir: string): Promise<External> {
  const pcapng = join(dir, 'proxy.pcapng');
  const proc = spawn(process.execPath, [CLI, 'proxy', '--listen', `${HOST}:0`, '--upstream', `${HOST}:${upstreamPort}`, '--protocol', 'flyer', '--quiet', '--write', pcapng], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /framescope proxy: [^\s]+:(\d+) →/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`framescope proxy exited (${code}): ${err}`)));
  });
  return {
    name: '`framescope proxy --quiet --write f.pcapng`', proc, port,
    cleanup: async () => { proc.kill('SIGINT'); await new Promise((r) => proc.once('exit', r)); },
    check: () => {
      // What the command wrote, read back: one data segment per PDU (each PDU is smaller than the MSS).
      let segments = 0;
      for (const p of parseCapture(readFileSync(pcapng)).packets) {
        const tcp = decodeTcpPacket(p.linkType, p.data);
        if (tcp.ok && tcp.segment.payload.length > 0) segments++;
      }
      return segments;
    },
  };
}

/**
 * bench/reference/epoll-relay.c, built with the machine's C compiler: what any user-space proxy costs here before
 * it does any work of its own (the wake-ups and copies of two more hops).
 */
async function epollRelay(upstreamPort: number, dir: string): Promise<External | { why: string }> {
  if (process.platform !== 'linux') return { why: 'Linux only (epoll)' };
  const binary = join(dir, 'epoll-relay');
  const cc = spawnSync('cc', ['-O2', '-o', binary, join(ROOT, 'bench', 'reference', 'epoll-relay.c')], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { why: `no C compiler to build it (${cc.error?.message ?? cc.stderr.trim()})` };
  const port = await freePort();
  const proc = spawn(binary, [String(port), String(upstreamPort)], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, proc, 10);
  return {
    name: 'minimal C epoll relay (bench/reference/epoll-relay.c: read → write, nothing recorded)', proc, port,
    cleanup: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); },
  };
}

/** mitmdump version, or why there is none. */
function mitmdumpVersion(): { version?: string; why?: string } {
  const r = spawnSync('mitmdump', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { why: 'mitmdump not installed (Debian: `apt-get install mitmproxy`)' };
  return { version: /Mitmproxy: ([\w.]+)/.exec(r.stdout)?.[1] ?? 'unknown' };
}

/**
 * mitmdump as a reverse proxy forced to raw TCP: mitmproxy ≤ 8 takes only http/https in a reverse spec, so the
 * spec is reverse:http://… and `tcp_hosts=.*` makes every connection a TCP flow (no HTTP parsing). Newer versions
 * (10+) accept reverse:tcp://… directly.
 */
async function mitmdump(upstreamPort: number, dir: string, version: string): Promise<External> {
  const port = await freePort();
  const major = Number(version.split('.')[0]);
  const mode = major >= 10 ? `reverse:tcp://${HOST}:${upstreamPort}` : `reverse:http://${HOST}:${upstreamPort}`;
  const args = ['--mode', mode, '--listen-host', HOST, '--listen-port', String(port), '--set', 'tcp_hosts=.*', '--set', `confdir=${join(dir, 'mitmproxy')}`, '-q'];
  const proc = spawn('mitmdump', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, proc, 60);
  return {
    name: `mitmdump ${version} \`--mode ${mode.replace(String(upstreamPort), 'PORT')} --set tcp_hosts=.*\``, proc, port,
    cleanup: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

/** The fields of a /proc …/stat file after the command name (fields[7] minflt, [11] utime, [12] stime, in USER_HZ). */
function procStat(path: string): string[] {
  return readFileSync(path, 'utf8').replace(/^.*\) /, '').split(' ');
}

/** CPU seconds used so far by a process (user + system, all threads), from /proc; undefined off Linux. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = procStat(`/proc/${pid}/stat`);
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * What the C relay says about the latency goal: a proxy costs two more hops, and a relay that sleeps between packets
 * pays a wake-up for each; busy polling (util/busy-poll.ts) is how Framescope avoids paying them.
 */
function epollVerdict(ours: number, floor: number): string {
  if (ours < floor) return `The C relay sleeps in \`epoll_wait\` between packets: busy polling takes Framescope ${(floor - ours).toFixed(0)} µs below it, so on this machine the wake-ups, not the relaying, are most of what a proxy adds.`;
  const above = `Framescope adds ${(ours - floor).toFixed(0)} µs above that sleeping C relay.`;
  return floor > 45 * 0.9
    ? `The C relay, which sleeps in \`epoll_wait\` between packets, is already at ${floor.toFixed(0)} µs here (two more process wake-ups per round trip); ${above}`
    : above;
}

const us = (x: number): string => `${x.toFixed(0)} µs`;


type VariantKey = 'direct' | 'pipe' | 'framescope' | 'sleeping' | 'command' | 'relay' | 'epoll' | 'mitmdump';
interface Variant { key: VariantKey; name: string; port: number; pid?: number }

interface LatencyStats { v: Variant; p50: number; p99: number; cpuPerRt?: number }

/** Latency blocks rotated over the variants; samples pooled per variant. */
async function measureLatency(peersProc: ChildProcess, variants: Variant[]): Promise<LatencyStats[]> {
  const samples = variants.map(() => [] as number[]);
  const cpu = variants.map(() => 0);
  // One warm-up block per variant (JIT, mitmproxy's first connection), not counted.
  for (const v of variants) await call(peersProc, { op: 'latency', port: v.port, rounds: LATENCY.roundsPerBlock, warmup: LATENCY.warmupPerConnection });
  for (let b = 0; b < LATENCY.blocks; b++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (b + k) % variants.length;
      const c0 = cpuSeconds(variants[i].pid);
      const r = await call(peersProc, { op: 'latency', port: variants[i].port, rounds: LATENCY.roundsPerBlock, warmup: LATENCY.warmupPerConnection });
      const c1 = cpuSeconds(variants[i].pid);
      if (c0 !== undefined && c1 !== undefined) cpu[i] += c1 - c0;
      if (r.op !== 'result' || !r.samples) throw new Error('latency block returned no samples');
      samples[i].push(...r.samples);
    }
    process.stdout.write(`latency block ${b + 1}/${LATENCY.blocks}\n`);
  }
  const rounds = LATENCY.roundsPerBlock * LATENCY.blocks;
  return variants.map((v, i) => {
    const sorted = Float64Array.from(samples[i]).sort();
    return { v, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), cpuPerRt: v.pid ? (cpu[i] / rounds) * 1e6 : undefined };
  });
}

interface BulkStats {
  v: Variant;
  mibps: number;
  cpuPerGiB?: number;
  /** Of cpuPerGiB, the time of threads other than the event loop's (libuv's pool writing the PDU store, GC helpers). */
  otherThreadsPerGiB?: number;
  /** Minor page faults per GiB: fresh memory touched (the kernel's page cache does not count). */
  faultsPerGiB?: number;
}

async function measureBulk(peersProc: ChildProcess, variants: Variant[], pduSize: number): Promise<BulkStats[]> {
  const secs = variants.map(() => [] as number[]);
  const cpu = variants.map(() => 0);
  const other = variants.map(() => 0);
  const faults = variants.map(() => 0);
  for (let r = 0; r < BULK.runs; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (r + k) % variants.length;
      const pid = variants[i].pid;
      settleDisk();
      const c0 = cpuSeconds(pid);
      const k0 = pid ? kernelCounts(pid) : undefined;
      const res = await call(peersProc, { op: 'bulk', port: variants[i].port, bytes: BULK.bytes, pduSize });
      const c1 = cpuSeconds(pid);
      const k1 = pid ? kernelCounts(pid) : undefined;
      if (c0 !== undefined && c1 !== undefined) cpu[i] += c1 - c0;
      if (k0 && k1) { other[i] += k1.otherThreadsSeconds - k0.otherThreadsSeconds; faults[i] += k1.minorFaults - k0.minorFaults; }
      if (res.op !== 'result' || res.seconds === undefined) throw new Error('bulk run returned no time');
      secs[i].push(res.seconds);
      console.log(`bulk ${pduSize} B PDUs, ${variants[i].key}: ${(BULK.bytes / (1 << 20) / res.seconds).toFixed(0)} MiB/s`);
    }
  }
  const gib = BULK.runs * (BULK.bytes / (1 << 30));
  return variants.map((v, i) => ({
    v, mibps: BULK.bytes / (1 << 20) / Math.min(...secs[i]),
    ...(v.pid ? { cpuPerGiB: cpu[i] / gib, otherThreadsPerGiB: other[i] / gib, faultsPerGiB: faults[i] / gib } : {}),
  }));
}

/**
 * Waits until the kernel has written every dirty page to disk, so that no run pays for the writeback of what an
 * earlier run recorded (the kernel starts writing a page back some 30 s after it was dirtied: during later runs).
 */
function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/**
 * MiB/s of appending BULK.bytes to a file in `dir` in 1 MiB synchronous writes (the page cache, as the PDU store
 * writes), the best and the slowest of BULK.runs appended to the same file, as the store's file grows. Not a new
 * file each run: the pages a deleted file leaves are reused at once (several GiB/s here), while a growing store
 * always takes pages the system has not touched for a while (on this VM, memory it has never touched at all).
 */
function diskAppendRate(dir: string): { best: number; slowest: number } {
  const block = Buffer.alloc(1 << 20, 0x5a);
  const file = join(dir, 'disk-rate.bin');
  const fd = openSync(file, 'w');
  const secs: number[] = [];
  for (let r = 0, at = 0; r < BULK.runs; r++) {
    settleDisk();
    const t0 = process.hrtime.bigint();
    for (const end = at + BULK.bytes; at < end; at += block.length) writeSync(fd, block, 0, block.length, at);
    secs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  closeSync(fd);
  rmSync(file);
  const mibps = (t: number): number => BULK.bytes / (1 << 20) / t;
  return { best: mibps(Math.min(...secs)), slowest: mibps(Math.max(...secs)) };
}

/** MiB/s of filling BULK.bytes of buffers allocated for it, 16 MiB each (memory the process has not touched). */
function freshMemoryRate(): number {
  const t0 = process.hrtime.bigint();
  // All kept until the end, so no buffer reuses the memory of one before it.
  const kept: Buffer[] = [];
  for (let at = 0; at < BULK.bytes; at += 16 << 20) kept.push(Buffer.allocUnsafeSlow(16 << 20).fill(at & 0xff));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return BULK.bytes / (1 << 20) / seconds;
}

/** What the disk's rate says about the bulk goal, per PDU size where the answers differ. */
function diskVerdict(bulk: { pduSize: number; rows: BulkStats[] }[], diskRate: number, freshMemoryRate: number): string {
  const below = bulk.filter((b) => diskRate < 0.8 * pipeOf(b));
  const sizes = (list: { pduSize: number }[]): string => list.map((b) => size(b.pduSize)).join(' and ');
  const bound = below.length === 0 ? 'Storing alone is fast enough for the goal here.'
    : `Storing alone is below the goal ${below.length === bulk.length ? 'in this run' : `in the runs with ${sizes(below)} PDUs`}: a proxy that keeps every byte it forwards cannot forward faster than it stores them, whatever else it does. A growing file takes memory the system has not used yet, which this VM backs only when it is first touched (filling ${BULK.bytes / (1 << 30)} GiB of freshly allocated buffers, 16 MiB each, ran at ${freshMemoryRate.toFixed(0)} MiB/s in this run), while the pipe reuses the same few buffers; where memory is not backed lazily, the page cache takes several GiB/s.`;
  return `${bound} The rest is CPU: the recording proxy's event loop and the thread that writes to the page cache share two cores with the client and the sink.`;
}

/** A PDU size as the tables write it. */
const size = (n: number): string => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

/** One path's row of a bulk measurement. */
const rowOf = (b: { rows: BulkStats[] }, key: VariantKey): BulkStats | undefined => b.rows.find((r) => r.v.key === key);
const pipeOf = (b: { rows: BulkStats[] }): number => rowOf(b, 'pipe')!.mibps;

/** Why recording can cost the event loop less than no recording at all, when the numbers say it does. */
function recordingLoopNote(bulk: { rows: BulkStats[] }[]): string {
  const row = (b: { rows: BulkStats[] }, key: VariantKey): BulkStats => rowOf(b, key)!;
  const onLoop = (r: BulkStats): number => (r.cpuPerGiB ?? NaN) - (r.otherThreadsPerGiB ?? NaN);
  const cheaper = bulk.every((b) => onLoop(row(b, 'framescope')) < onLoop(row(b, 'relay')) && (row(b, 'framescope').faultsPerGiB ?? NaN) < (row(b, 'relay').faultsPerGiB ?? NaN) / 2);
  if (!cheaper) return '';
  return 'The recording proxy\'s event loop costs less than the relay alone\'s, and it touches a fraction of the fresh memory (page faults): the relay alone\'s cost is in the process\'s memory behaviour more than in its logic. ';
}

/** What the page-fault column says about the relay alone, when it says something. */
function relayFaultsNote(bulk: { pduSize: number; rows: BulkStats[] }[]): string {
  const faults = (b: { rows: BulkStats[] }, key: VariantKey): number => rowOf(b, key)?.faultsPerGiB ?? NaN;
  const ratios = bulk.map((b) => faults(b, 'relay') / faults(b, 'pipe'));
  if (!ratios.every((r) => r >= 2)) return '';
  return `What the relay alone costs beyond the pipe goes with its page faults, ${ratios.map((r) => `${r.toFixed(1)}×`).join(' and ')} the pipe's: fresh memory touched, where Node allocates a buffer for every read (why the pipe's process reuses more of its memory is not pinned down; the relay's own logic is a few calls per read). `;
}

async function stats(child: ChildProcess): Promise<RecordedStats> {
  const r = await call(child, { op: 'stats' });
  if (r.op !== 'stats') throw new Error('no stats');
  return r.stats;
}

/** Minor page faults of a process so far, and the CPU seconds of its threads but the main one (Linux). */
function kernelCounts(pid: number): { minorFaults: number; otherThreadsSeconds: number } | undefined {
  if (!existsSync(`/proc/${pid}/stat`)) return undefined;
  let other = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    if (task === String(pid)) continue;
    try { const t = procStat(`/proc/${pid}/task/${task}/stat`); other += Number(t[11]) + Number(t[12]); } catch { /* the thread ended */ }
  }
  return { minorFaults: Number(procStat(`/proc/${pid}/stat`)[7]), otherThreadsSeconds: other / 100 };
}

/** `BENCH_ONLY=bulk`: the bulk rows alone, printed (a profile of the recording proxy with BENCH_CPU_PROF). */
async function bulkOnly(peersProc: ChildProcess, upstream: number, children: ChildProcess[]): Promise<void> {
  const pipe = await forkRole('pipe', [String(upstream)], [], BULK_ENV);
  const relayOnly = await forkRole('framescope', [String(upstream), 'off'], [], BULK_ENV);
  const fsBulk = await forkRole('framescope', [String(upstream), 'tt'], CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [], BULK_ENV);
  children.push(pipe.child, relayOnly.child, fsBulk.child);
  const variants: Variant[] = [
    { key: 'pipe', name: 'pipe', port: pipe.port, pid: pipe.child.pid },
    { key: 'framescope', name: 'framescope', port: fsBulk.port, pid: fsBulk.child.pid },
    { key: 'relay', name: 'relay', port: relayOnly.port, pid: relayOnly.child.pid },
  ];
  let frames = 0;
  for (const pduSize of BULK.pduSizes) {
    const rows = await measureBulk(peersProc, variants, pduSize);
    frames += BULK.runs * (BULK.bytes / pduSize);
    for (const r of rows) {
      console.log(`${pduSize} B PDUs  ${r.v.key.padEnd(10)} ${r.mibps.toFixed(0).padStart(5)} MiB/s  ${(r.mibps / rows[0].mibps).toFixed(2)}×  ${r.cpuPerGiB?.toFixed(2)} s/GiB, of it ${r.otherThreadsPerGiB?.toFixed(2)} s off the event loop, ${r.faultsPerGiB?.toFixed(0)} page faults per GiB`);
    }
  }
  const bs = await stats(fsBulk.child);
  if (bs.frames !== frames || bs.malformed !== 0) throw new Error(`the Framescope proxy recorded ${bs.frames} tt frames (${bs.malformed} malformed); ${frames} crossed it`);
  console.log(`recorded ${bs.frames} frames, none malformed`);
  const dir = mkdtempSync(join(tmpdir(), 'framescope-proxy-bench-'));
  const disk = diskAppendRate(dir);
  rmSync(dir, { recursive: true, force: true });
  console.log(`disk alone, appending: ${disk.best.toFixed(0)} MiB/s (slowest ${disk.slowest.toFixed(0)})`);
  // Let the profiled proxy exit on its own (disconnect) so it writes its profile.
  fsBulk.child.disconnect();
  await new Promise((r) => fsBulk.child.once('exit', r));
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'framescope.mjs'))) spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'inherit', cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'framescope-bench-'));
  const load0 = loadavg()[0];
  const children: ChildProcess[] = [];
  const externals: External[] = [];
  try {
    const { child: peersProc, port: sinkPort } = await forkRole('peers');
    children.push(peersProc);

    if (BULK_ONLY) { await bulkOnly(peersProc, sinkPort, children); return; }
    const { child: upstreamProc, port: upstream } = await forkRole('upstream');
    children.push(upstreamProc);

    // --- latency ------------------------------------------------------------------------------------------------
    const fsProxy = await forkRole('framescope', [String(upstream), 'flyer']);
    const sleeping = await forkRole('framescope', [String(upstream), 'flyer', '0']);
    const relayOnly = await forkRole('framescope', [String(upstream), 'off']);
    const pipe = await forkRole('pipe', [String(upstream)]);
    children.push(fsProxy.child, sleeping.child, relayOnly.child, pipe.child);
    const command = await framescopeCommand(upstream, dir);
    externals.push(command);
    const epoll = await epollRelay(upstream, dir);
    if ('proc' in epoll) externals.push(epoll);
    const mitm = mitmdumpVersion();
    let mitmProxy: External | undefined;
    if (mitm.version) {
      try { mitmProxy = await mitmdump(upstream, dir, mitm.version); externals.push(mitmProxy); } catch (e) { mitm.why = `mitmdump ${mitm.version} did not start: ${(e as Error).message}`; }
    }
    const variants: Variant[] = [
      { key: 'direct', name: 'direct (no proxy)', port: upstream },
      { key: 'pipe', name: 'naive `pipe()` proxy (Node)', port: pipe.port, pid: pipe.child.pid },
      { key: 'framescope', name: `**Framescope** \`ProxyListener\` + Session + sessionRecorder (busy polling ${DEFAULT_BUSY_POLL_MICROS} µs, the default)`, port: fsProxy.port, pid: fsProxy.child.pid },
      { key: 'sleeping', name: 'the same with busy polling off (`--busy-poll 0`: the event loop sleeps between packets, as the pipe\'s does)', port: sleeping.port, pid: sleeping.child.pid },
      { key: 'command', name: command.name, port: command.port, pid: command.proc.pid },
      { key: 'relay', name: 'Framescope `ProxyListener`, recording off (the relay alone)', port: relayOnly.port, pid: relayOnly.child.pid },
      ...('proc' in epoll ? [{ key: 'epoll' as const, name: epoll.name, port: epoll.port, pid: epoll.proc.pid }] : []),
      ...(mitmProxy ? [{ key: 'mitmdump' as const, name: mitmProxy.name, port: mitmProxy.port, pid: mitmProxy.proc.pid }] : []),
    ];
    const latency = await measureLatency(peersProc, variants);
    const sentLatency = 2 * (LATENCY.blocks + 1) * (LATENCY.roundsPerBlock + LATENCY.warmupPerConnection);
    const ls = await stats(fsProxy.child);
    if (ls.frames !== sentLatency || ls.malformed !== 0 || ls.paired !== sentLatency / 2) {
      throw new Error(`the Framescope proxy recorded ${ls.frames} frames (${ls.malformed} malformed, ${ls.paired} paired); ${sentLatency} PDUs crossed it`);
    }
    fsProxy.child.disconnect();
    for (const e of externals) await e.cleanup();
    const written = command.check?.();
    if (written !== undefined && written !== sentLatency) throw new Error(`framescope proxy --write wrote ${written} data segments; ${sentLatency} PDUs crossed it`);
    const L = (key: VariantKey): LatencyStats | undefined => latency.find((s) => s.v.key === key);
    const direct = L('direct')!;
    const added = (key: VariantKey): number => L(key)!.p50 - direct.p50;
    for (const s of latency) console.log(`${s.v.key}: p50 ${s.p50.toFixed(1)} µs, p99 ${s.p99.toFixed(1)} µs, added ${(s.p50 - direct.p50).toFixed(1)} µs, CPU ${s.cpuPerRt?.toFixed(0) ?? '–'} µs per round trip`);
    if (LATENCY_ONLY) return;

    // --- bulk ---------------------------------------------------------------------------------------------------
    for (const c of [sleeping.child, relayOnly.child, pipe.child, upstreamProc]) c.disconnect();
    const fsBulk = await forkRole('framescope', [String(sinkPort), 'tt'], [], BULK_ENV);
    const relayBulk = await forkRole('framescope', [String(sinkPort), 'off'], [], BULK_ENV);
    const pipeBulk = await forkRole('pipe', [String(sinkPort)], [], BULK_ENV);
    children.push(fsBulk.child, relayBulk.child, pipeBulk.child);
    const bulkVariants: Variant[] = [
      { key: 'direct', name: 'direct (no proxy)', port: sinkPort },
      { key: 'pipe', name: 'naive `pipe()` proxy (Node)', port: pipeBulk.port, pid: pipeBulk.child.pid },
      { key: 'framescope', name: '**Framescope** `ProxyListener` + Session (tt) + sessionRecorder', port: fsBulk.port, pid: fsBulk.child.pid },
      { key: 'relay', name: 'Framescope `ProxyListener`, recording off (the relay alone)', port: relayBulk.port, pid: relayBulk.child.pid },
    ];
    const bulk: { pduSize: number; rows: BulkStats[]; ratio: number }[] = [];
    let bulkFrames = 0;
    for (const pduSize of BULK.pduSizes) {
      const rows = await measureBulk(peersProc, bulkVariants, pduSize);
      bulkFrames += BULK.runs * (BULK.bytes / pduSize);
      bulk.push({ pduSize, rows, ratio: rowOf({ rows }, 'framescope')!.mibps / pipeOf({ rows }) });
    }
    const disk = diskAppendRate(dir);
    const fresh = freshMemoryRate();
    console.log(`disk: ${disk.best.toFixed(0)} MiB/s (slowest run ${disk.slowest.toFixed(0)})`);
    const bs = await stats(fsBulk.child);
    if (bs.frames !== bulkFrames || bs.malformed !== 0) throw new Error(`the Framescope proxy recorded ${bs.frames} tt frames (${bs.malformed} malformed); ${bulkFrames} crossed it`);

    // --- table --------------------------------------------------------------------------------------------------
    const bold = (key: VariantKey, text: string): string => (key === 'framescope' ? `**${text}**` : text);
    const goalLatency = added('framescope') <= 45;
    const lines = [
      `Measured by \`npm run bench\` on ${machineLine()}, load average ${load0.toFixed(1)} at the start (a shared machine: the ratios, measured in the same run, matter more than the absolute numbers).`,
      `Round trip = a 100-byte flyer \`ReportJobResult\` from the client and the upstream's 100-byte \`ReportJobResultResponse\` echoing its packet id; ${(LATENCY.roundsPerBlock * LATENCY.blocks).toLocaleString('en-US')} round trips per path in ${LATENCY.blocks} blocks rotated over the paths, each block on a fresh connection after ${LATENCY.warmupPerConnection} unrecorded round trips. The client, the upstream and each proxy run in processes of their own, as a real client and server do: a round trip without a proxy already wakes two processes, and a proxy adds its own hops.`,
      `The Framescope proxy cuts every PDU, reads its message and pairing key (no tree; the summary line is built only when a row is shown), pairs requests with responses and stores the PDUs on disk (checked afterwards: all ${sentLatency.toLocaleString('en-US')} PDUs recorded, ${(sentLatency / 2).toLocaleString('en-US')} responses paired); the command keeps its session in memory and also writes a pcapng${written !== undefined ? ' (checked: one segment per PDU)' : ''}. CPU = the proxy process's user + system time per round trip.`,
      '',
      '| path | p50 | p99 | added at p50 | added at p99 | proxy CPU per round trip |',
      '|---|---:|---:|---:|---:|---:|',
      ...latency.map((s) => `| ${s.v.name} | ${us(s.p50)} | ${us(s.p99)} | ${s.v.key === 'direct' ? '–' : bold(s.v.key, `+${(s.p50 - direct.p50).toFixed(0)} µs`)} | ${s.v.key === 'direct' ? '–' : `+${(s.p99 - direct.p99).toFixed(0)} µs`} | ${s.cpuPerRt !== undefined ? us(s.cpuPerRt) : '–'} |`),
      ...('proc' in epoll ? [] : [`| minimal C epoll relay | – | – | – | – | ${epoll.why} |`]),
      ...(mitmProxy ? [] : [`| mitmproxy in reverse raw-TCP mode | – | – | – | – | ${mitm.why} |`]),
      '',
      `Goal: the proxy adds ≤ 45 µs at p50 — **${goalLatency ? 'met' : 'not met'}**: +${added('framescope').toFixed(0)} µs, of which the relay alone +${added('relay').toFixed(0)} µs; with busy polling off +${added('sleeping').toFixed(0)} µs; the naive pipe adds +${added('pipe').toFixed(0)} µs${L('epoll') ? `, a C relay that does nothing but read and write +${added('epoll').toFixed(0)} µs` : ''}${mitmProxy ? `, mitmdump +${added('mitmdump').toFixed(0)} µs` : ''}.${L('epoll') ? ` ${epollVerdict(added('framescope'), added('epoll'))}` : ''}`,
      '',
      `Bulk: ${BULK.bytes / (1 << 30)} GiB of tt \`MsgData\` PDUs in 64 KiB writes, client → upstream, per path the best of ${BULK.runs} rotated runs (noise only ever slows a run down), each after \`sync\` so that no run pays for the writeback of what an earlier one recorded (which the kernel starts some 30 s later). The Framescope proxy cuts (protocol tt), classifies and records every PDU, its PDU store on disk (checked: ${bulkFrames.toLocaleString('en-US')} frames). CPU = proxy process time per GiB.`,
      '',
      '| PDU size | path | throughput | × naive pipe | proxy CPU per GiB | of it off the event loop | page faults per GiB |',
      '|---|---|---:|---:|---:|---:|---:|',
      ...bulk.flatMap((b) => b.rows.map((r) => {
        const pipeRate = pipeOf(b);
        return `| ${size(b.pduSize)} | ${r.v.name} | ${r.mibps.toFixed(0)} MiB/s | ${r.v.key === 'direct' ? '–' : bold(r.v.key, `${(r.mibps / pipeRate).toFixed(2)}×`)} | ${r.cpuPerGiB !== undefined ? `${r.cpuPerGiB.toFixed(2)} s` : '–'} | ${r.otherThreadsPerGiB !== undefined ? `${r.otherThreadsPerGiB.toFixed(2)} s` : '–'} | ${r.faultsPerGiB !== undefined ? r.faultsPerGiB.toLocaleString('en-US', { maximumFractionDigits: 0 }) : '–'} |`;
      })),
      '',
      `The disk under the PDU store, alone: ${BULK.runs} × ${BULK.bytes / (1 << 30)} GiB appended to one file in the same folder in 1 MiB \`writeSync\` calls (into the page cache, no fsync, a file that grows, as the store's does), best of ${BULK.runs}: **${disk.best.toFixed(0)} MiB/s** (the slowest ${disk.slowest.toFixed(0)} MiB/s), ${bulk.map((b) => `${(disk.best / pipeOf(b)).toFixed(2)}×`).join(' and ')} the pipe's rate; the recording proxy forwarded at ${bulk.map((b) => `${(rowOf(b, 'framescope')!.mibps / disk.best).toFixed(2)}×`).join(' and ')} of it. ${diskVerdict(bulk, disk.best, fresh)}`,
      '',
      `Goal: ≥ 0.8× the naive pipe — ${bulk.map((b) => `${size(b.pduSize)} PDUs ${b.ratio.toFixed(2)}×`).join(', ')}: **${bulk.every((b) => b.ratio >= 0.8) ? 'met' : bulk.some((b) => b.ratio >= 0.8) ? 'met for some PDU sizes only' : 'not met'}**.`,
      '',
      `Where the time goes (proxy CPU per GiB): ${bulk.map((b) => {
        const cpu = (key: VariantKey): number => rowOf(b, key)?.cpuPerGiB ?? NaN;
        const off = (key: VariantKey): number => rowOf(b, key)?.otherThreadsPerGiB ?? NaN;
        const signed = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)} s`;
        const offLoop = off('framescope') - off('relay');
        const onLoop = cpu('framescope') - cpu('relay') - offLoop;
        return `${size(b.pduSize)} PDUs: the relay alone ${signed(cpu('relay') - cpu('pipe'))} against the pipe; recording ${signed(cpu('framescope') - cpu('relay'))} against the relay alone, ${signed(offLoop)} on other threads and ${signed(onLoop)} on the event loop`;
      }).join('; ')}. ${recordingLoopNote(bulk)}The relay passes each socket buffer on as it is (no copy, no extra tick: the write happens in the \`data\` handler, backpressure by \`write()\`'s return value and \`drain\`, as \`pipe()\` does). ${relayFaultsNote(bulk)}Recording copies a PDU's bytes at most once in the process: a PDU that spans socket reads is gathered straight into a buffer of its own (the tt framer tells its size from the header), and the PDU store writes such a PDU, or a large one inside one read, as it is (one positional \`writev\` per MiB batch on libuv's thread pool, one write at a time; small PDUs are copied into a staging buffer). What is left is the kernel copying every byte into the page cache (off the event loop, with GC helpers: the column), the disk's backpressure (when 8 MiB waits for it, the proxy stops reading from its connections until half of that is written, so TCP slows the peers down while the event loop stays free for other connections and the UI), and cutting, classifying, pairing and indexing every PDU. The bench records into the PDU store only; the app also spools what crossed the proxy to pcapng (synthesized TCP segments, a different layout, kept for crash recovery and Wireshark), which this table does not include.`,
    ];
    if (!QUICK) writeReadmeSection('proxy', lines.join('\n'));
    console.log(`\n${lines.join('\n')}\n\n${QUICK ? 'Quick run: README.md left alone.' : 'README.md updated.'}`);
  } finally {
    for (const e of externals) if (e.proc.exitCode === null && e.proc.signalCode === null) await e.cleanup();
    for (const c of children) if (c.connected) c.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === 'peers') await peers();
else if (role === 'upstream') await upstream();
else if (role === 'framescope') await framescopeProxy(Number(process.argv[3]), process.argv[4], process.argv[5] === undefined ? undefined : Number(process.argv[5]));
else if (role === 'pipe') await pipeProxy(Number(process.argv[3]));
else await main();

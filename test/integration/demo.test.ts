/**
 * The demo peers on real loopback sockets. A recording relay sits between client and server (as the engine's proxy
 * will), and everything both sides sent is cut and decoded independently of the demo's own logging: every message
 * of every protocol must appear, nothing may be malformed, and every response must pair with a request.
 */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../shared/codec/bytes';
import { StreamDeframer } from '../../shared/codec/framing';
import type { DecodedFrame, Direction, PairingKey, Protocol } from '../../shared/codec/protocol';
import { getProtocol } from '../../shared/protocols/index';
import { DEMO_PROTOCOLS, formatExchange, runDemoClient, startDemo, startDemoServer, type DemoServer } from '../../electron/engine/demo/demo';

const BIN = join(__dirname, '..', '..', 'bin', 'framescope.js');
/** Catch-all names no well-behaved peer produces. */
const CATCH_ALLS = new Set(['Unknown', 'ServerInternal', 'Null']);

// ---------------------------------------------------------------------------------------------------------------
// A recording relay: forwards both ways and keeps every chunk with its arrival order.

interface Chunk { direction: Direction; bytes: Uint8Array }
interface RecordedConnection { chunks: Chunk[]; closed: Promise<void> }
interface Relay { port: number; connections: RecordedConnection[]; close(): Promise<void> }

async function recordingRelay(targetPort: number): Promise<Relay> {
  const connections: RecordedConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const rec: RecordedConnection = { chunks: [], closed: Promise.resolve() };
    const both = [client, upstream];
    for (const s of both) { sockets.add(s); s.on('close', () => sockets.delete(s)); }
    rec.closed = Promise.all(both.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())))).then(() => undefined);
    connections.push(rec);
    const pipe = (from: net.Socket, to: net.Socket, direction: Direction): void => {
      from.on('data', (d: Buffer) => { rec.chunks.push({ direction, bytes: new Uint8Array(d) }); to.write(d); });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
    };
    pipe(client, upstream, 'c2s');
    pipe(upstream, client, 's2c');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

interface Seen { frame: DecodedFrame; pair: PairingKey; order: number }

/** Cuts and decodes both directions of a recorded connection; frames are ordered by the chunk that completed them. */
function decodeConnection(protocol: Protocol, rec: RecordedConnection): { frames: Seen[]; skipped: number; remainder: number } {
  const deframers = { c2s: new StreamDeframer(protocol.framer('c2s')), s2c: new StreamDeframer(protocol.framer('s2c')) };
  const frames: Seen[] = [];
  let skipped = 0;
  const take = (direction: Direction, pdus: { bytes: Uint8Array; skipped?: boolean }[], order: number): void => {
    for (const p of pdus) {
      if (p.skipped) { skipped += p.bytes.length; continue; }
      frames.push({ frame: protocol.decode(p.bytes, direction), pair: protocol.peek(p.bytes, direction).pair, order });
    }
  };
  rec.chunks.forEach((c, i) => take(c.direction, deframers[c.direction].push(c.bytes), i));
  let remainder = 0;
  for (const d of ['c2s', 's2c'] as const) {
    const end = deframers[d].finish();
    take(d, end.pdus, rec.chunks.length);
    remainder += end.remainder.length;
  }
  frames.sort((a, b) => a.order - b.order);
  return { frames, skipped, remainder };
}

/** Responses without an earlier request the other way (by key, or first-in-first-out per lane), and requests left open. */
function pairingProblems(frames: Seen[]): { orphans: string[]; unanswered: string[] } {
  const open = new Map<string, string[]>();
  const orphans: string[] = [];
  const lane = (s: Seen, dir: Direction): string => `${dir} ${s.pair.key !== undefined ? `key ${s.pair.key}` : `fifo ${s.pair.fifo}`}`;
  for (const s of frames) {
    if (s.pair.role === 'request') {
      const k = lane(s, s.frame.direction);
      open.set(k, [...(open.get(k) ?? []), s.frame.summary]);
    } else if (s.pair.role === 'response') {
      const k = lane(s, s.frame.direction === 'c2s' ? 's2c' : 'c2s');
      const waiting = open.get(k);
      if (!waiting?.length) orphans.push(`${s.frame.direction} ${s.frame.summary}`);
      else if (!s.pair.more) waiting.shift();
    }
  }
  const unanswered = [...open.entries()].flatMap(([k, list]) => list.map((summary) => `${k}: ${summary}`));
  return { orphans, unanswered };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function serverWithRelay(id: string): Promise<{ server: DemoServer; relay: Relay }> {
  const server = await startDemoServer(id, { port: 0 });
  cleanup.push(() => server.close());
  const relay = await recordingRelay(server.port);
  cleanup.push(() => relay.close());
  return { server, relay };
}

// ---------------------------------------------------------------------------------------------------------------

describe.each(DEMO_PROTOCOLS.map((id) => [id]))('%s demo through a recording relay', (id) => {
  const protocol = getProtocol(id)!;

  it('exchanges every message type, all well-formed and paired', async () => {
    const { relay } = await serverWithRelay(id);
    const lines: string[] = [];
    const t0 = performance.now();
    const result = await runDemoClient(id, { port: relay.port, rounds: 2, intervalMs: 0, onExchange: (line) => lines.push(line) });
    const ms = performance.now() - t0;
    await Promise.all(relay.connections.map((c) => c.closed));

    const frames: Seen[] = [];
    const problems: string[] = [];
    for (const rec of relay.connections) {
      const d = decodeConnection(protocol, rec);
      frames.push(...d.frames);
      if (d.skipped || d.remainder) problems.push(`connection with ${d.skipped} skipped and ${d.remainder} left-over bytes`);
      const pairing = pairingProblems(d.frames);
      problems.push(...pairing.orphans.map((o) => `response without request: ${o}`));
      problems.push(...pairing.unanswered.map((u) => `request without response: ${u}`));
    }
    for (const { frame } of frames) {
      if (frame.malformed) problems.push(`malformed ${frame.direction} ${frame.summary}`);
      for (const n of frame.notes) if (n.severity !== 'info') problems.push(`${n.severity} note on ${frame.summary}: ${n.message}`);
    }
    expect(problems).toEqual([]);

    const seen = [...new Set(frames.map((f) => f.frame.message))].sort();
    const expected = protocol.messages.map((m) => m.name).filter((n) => !CATCH_ALLS.has(n)).sort();
    expect(seen).toEqual(expected);

    // The client's own report matches what crossed the wire.
    expect(result).toMatchObject({ rounds: 2, frames: frames.length });
    expect(lines).toHaveLength(frames.length);
    expect(lines[0]).toMatch(new RegExp(`^${id} +c2s  \\S+`));
    console.info(`${id}: 2 rounds, ${frames.length} PDUs over ${relay.connections.length} connections in ${ms.toFixed(0)} ms`);
  });

  it('survives a client that leaves mid-PDU and one that sends garbage', async () => {
    const { server } = await serverWithRelay(id);
    // Half of a real first PDU, then the client vanishes (reset).
    const first = protocol.messages.find((m) => m.direction === 'c2s')!;
    const pdu = protocol.encode(first.name, 'c2s', first.template());
    const half = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => half.once('connect', r));
    half.write(pdu.subarray(0, Math.max(1, pdu.length >> 1)));
    await new Promise((r) => setTimeout(r, 20));
    half.resetAndDestroy();

    // Bytes that frame nothing: the server answers with the protocol's error if it has one, and hangs up.
    const reply = await exchangeRaw(server.port, new Uint8Array(48).fill(0xff));
    expect(reply.closed).toBe(true);
    const answer = decodeAll(protocol, 's2c', reply.bytes);
    if (id === 'push') expect(answer.map((f) => [f.message, f.value.error_code])).toEqual([['Error', 'E_BAD_PROTOCOL']]);
    else if (id === 'http') expect(answer.map((f) => [f.message, f.value.status_code])).toEqual([['Response', 400]]);
    else expect(answer).toEqual([]);

    // And the next client gets a full session.
    await expect(runDemoClient(id, { port: server.port, intervalMs: 0 })).resolves.toMatchObject({ rounds: 1 });
  });
});

/** Connects, writes, and collects whatever comes back until the server closes (or 2 s pass). */
function exchangeRaw(port: number, bytes: Uint8Array): Promise<{ bytes: Uint8Array; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Uint8Array[] = [];
    const timer = setTimeout(() => { s.destroy(); resolve({ bytes: concatBytes(got), closed: false }); }, 2000);
    s.on('data', (d: Buffer) => got.push(new Uint8Array(d)));
    s.on('error', () => undefined);
    s.on('close', () => { clearTimeout(timer); resolve({ bytes: concatBytes(got), closed: true }); });
    s.write(bytes);
  });
}

function decodeAll(protocol: Protocol, direction: Direction, bytes: Uint8Array): DecodedFrame[] {
  const d = new StreamDeframer(protocol.framer(direction));
  const pdus = d.push(bytes);
  d.finish(pdus);
  return pdus.filter((p) => !p.skipped).map((p) => protocol.decode(p.bytes, direction));
}

describe('protocol errors of the demo servers', () => {
  it('push: a wrong magic is answered E_BAD_PROTOCOL, an unknown command E_INVALID, both closing the connection', async () => {
    const push = getProtocol('push')!;
    const { server } = await serverWithRelay('push');
    const wrongMagic = await exchangeRaw(server.port, new TextEncoder().encode('  V2H\n'));
    expect(wrongMagic.closed).toBe(true);
    expect(decodeAll(push, 's2c', wrongMagic.bytes).map((f) => f.summary)).toEqual(['Error error_code=E_BAD_PROTOCOL']);
    const rdy = await exchangeRaw(server.port, concatBytes([push.encode('Magic', 'c2s', { magic: '  V1' }), push.encode('Unknown', 'c2s', { command: 'RDY', line: 'RDY 1' })]));
    expect(rdy.closed).toBe(true);
    expect(decodeAll(push, 's2c', rdy.bytes).map((f) => f.summary)).toEqual(['Error error_code=E_INVALID error_desc="invalid command RDY"']);
  });

  it('http: a request line that does not parse gets 400 Bad Request and a close', async () => {
    const http = getProtocol('http')!;
    const { server } = await serverWithRelay('http');
    const r = await exchangeRaw(server.port, new TextEncoder().encode('HELLO\r\n\r\n'));
    expect(r.closed).toBe(true);
    expect(decodeAll(http, 's2c', r.bytes).map((f) => f.value.status_code)).toEqual([400]);
  });
});

describe('startDemo and looping clients', () => {
  it('runs every protocol through a proxy inserted with connectVia', async () => {
    const relays = new Map<string, Relay>();
    const demo = await startDemo({
      protocols: DEMO_PROTOCOLS, rounds: 1, intervalMs: 0,
      connectVia: async (protocol, serverPort) => {
        const relay = await recordingRelay(serverPort);
        relays.set(protocol, relay);
        return relay.port;
      },
    });
    cleanup.push(async () => { await demo.close(); for (const r of relays.values()) await r.close(); });
    const { frames } = await demo.done;
    expect([...relays.keys()]).toEqual([...DEMO_PROTOCOLS]);
    let relayed = 0;
    for (const [id, relay] of relays) {
      await Promise.all(relay.connections.map((c) => c.closed));
      for (const rec of relay.connections) relayed += decodeConnection(getProtocol(id)!, rec).frames.length;
    }
    expect(frames).toBe(relayed);
    expect(demo.servers.every((s) => s.port > 0 && !s.fellBack)).toBe(true);
  });

  it('a looping client runs round after round until closed', async () => {
    const server = await startDemoServer('tt', { port: 0 });
    cleanup.push(() => server.close());
    const run = runDemoClient('tt', { port: server.port, rounds: Infinity, intervalMs: 0 });
    await new Promise((r) => setTimeout(r, 600));
    await run.close();
    const result = await run;
    expect(result.rounds).toBeGreaterThanOrEqual(2);
    expect(result.frames).toBeGreaterThan(result.rounds * 50);
  });

  it('falls back to an ephemeral port when asked to, and says so', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => blocker.close(resolve)));
    const busy = (blocker.address() as net.AddressInfo).port;
    await expect(startDemoServer('flyer', { port: busy })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const s = await startDemoServer('flyer', { port: busy, fallback: true });
    cleanup.push(() => s.close());
    expect(s).toMatchObject({ requestedPort: busy, fellBack: true });
    expect(s.port).not.toBe(busy);
  });

  it('formats one line per PDU: protocol, direction, message, summary', () => {
    expect(formatExchange({ protocol: 'flyer', direction: 'c2s', sent: true, message: 'ShakeHand', summary: 'ShakeHand appCode=demo vhost=""', length: 29, malformed: false }))
      .toBe('flyer  c2s  ShakeHand                    appCode=demo vhost=""');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The command

describe('framescope demo', () => {
  it('all --protocol flyer --rounds 1 prints the exchange and exits 0', () => {
    const r = spawnSync(process.execPath, [BIN, 'demo', 'all', '--protocol', 'flyer', '--rounds', '1', '--port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^flyer demo server listening on 127\.0\.0\.1:\d+$/);
    const messages = lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' '));
    expect(messages).toContain('flyer c2s ShakeHand');
    expect(messages).toContain('flyer s2c ExecuteJob');
    const names = new Set(lines.slice(1).map((l) => l.split(/\s+/)[2]));
    expect([...names].sort()).toEqual(getProtocol('flyer')!.messages.map((m) => m.name).filter((n) => n !== 'Unknown').sort());
  });

  it('says so when the port is busy, and a looping demo stops cleanly on Ctrl-C', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => blocker.close(resolve)));
    const busy = (blocker.address() as net.AddressInfo).port;
    const child = spawn(process.execPath, [BIN, 'demo', 'all', '--protocol', 'push', '--port', String(busy), '--interval', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 10_000;
    // Wait for a few rounds (each ends with the rogue client's Error), then Ctrl-C.
    while ((out.match(/E_INVALID_REQUEST/g)?.length ?? 0) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(err).toBe('');
    expect(out.split('\n')[0]).toMatch(new RegExp(`^push demo server: port ${busy} is busy, listening on 127\\.0\\.0\\.1:\\d+ instead$`));
  });

  it('refuses bad arguments with one line and exit 2 (usage)', () => {
    for (const args of [['demo', 'sideways', '--protocol', 'flyer'], ['demo', 'all', '--protocol', 'nope'], ['demo', 'all', '--protocol', 'all', '--port', '1234'], ['demo', 'client', '--protocol', 'flyer', '--connect', 'nowhere']]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^framescope: .+\n$/);
    }
  });
});

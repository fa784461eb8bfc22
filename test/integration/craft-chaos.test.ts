/**
 * Chaos on a proxy listener: frames split into small writes, coalesced into one write, delayed, both at once. The
 * receiving real peers (the demo servers and clients, which decode every frame they get) must see every byte in
 * order; a raw peer shows the writes really were re-segmented.
 */
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, until } from '../support/wait';
import type { ChaosSettings } from '../../shared/api/contract';
import { concatBytes, toHex } from '../../shared/codec/bytes';
import { getProtocol } from '../../shared/protocols/index';
import { Engine } from '../../electron/engine/api/engine';
import { runDemoClient, startDemoServer, DEMO_PROTOCOLS } from '../../electron/engine/demo/demo';

const flyer = getProtocol('flyer')!;
const cleanup = cleanupAfterEach();


function newEngine(): Engine {
  const e = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-chaos-')) });
  cleanup.push(() => e.close());
  return e;
}

/** One demo round of `protocol` through a proxy with chaos; the demo peers throw on anything they cannot decode. */
async function roundThrough(protocol: string, chaos: ChaosSettings): Promise<{ frames: number; malformed: number }> {
  const e = newEngine();
  const server = await startDemoServer(protocol, { port: 0 });
  cleanup.push(() => server.close());
  const proxy = await e.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol });
  expect(await e.call('chaos.set', { listenerId: proxy.id, chaos })).toMatchObject(chaos);
  const result = await runDemoClient(protocol, { port: proxy.boundPort, rounds: 1 });
  expect(result.rounds).toBe(1);
  // The recording still sees whole frames.
  const view = await e.call('view.create', { filter: 'fs.malformed' });
  if ('error' in view) throw new Error(view.error.message);
  return { frames: (await e.call('session.info', {})).frames, malformed: view.count };
}

describe('chaos', () => {
  it.each(DEMO_PROTOCOLS)('%s: frames split into 16-byte writes still decode on both peers', async (protocol) => {
    const r = await roundThrough(protocol, { direction: 'both', splitBytes: 16 });
    expect(r.frames).toBeGreaterThan(4);
    expect(r.malformed).toBe(0);
  });

  it.each([['flyer', 3], ['hodor', 8], ['txlcn', 8]] as const)('%s: frames split into %i-byte writes 1 ms apart still decode on both peers', async (protocol, splitBytes) => {
    expect((await roundThrough(protocol, { direction: 'both', splitBytes, delayMs: 1 })).malformed).toBe(0);
  });

  it.each(DEMO_PROTOCOLS)('%s: frames coalesced three to a write, then cut across frame boundaries, still decode on both peers', async (protocol) => {
    expect((await roundThrough(protocol, { direction: 'both', coalesce: 3, coalesceWaitMs: 5, splitBytes: 50 })).malformed).toBe(0);
  });

  it('really re-segments the writes a raw peer reads, and loses no byte', async () => {
    const reads: Buffer[] = [];
    const sockets = new Set<Socket>();
    const raw = createServer((s) => { sockets.add(s); s.on('data', (d) => reads.push(d)); });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); raw.close(() => r()); }));
    const e = newEngine();
    const proxy = await e.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: (raw.address() as { port: number }).port }, protocol: 'flyer' });
    await e.call('chaos.set', { listenerId: proxy.id, chaos: { direction: 'c2s', splitBytes: 5, delayMs: 2 } });
    const frames = Array.from({ length: 4 }, (_, i) => flyer.encode('ReportJobResult', 'c2s', { packet_id: String(1000 + i), jobBeanId: 'job', result: 0, logStr: `log ${i}` }));
    const client = await new Promise<Socket>((resolve) => { const s = connect(proxy.boundPort, '127.0.0.1', () => resolve(s)); });
    cleanup.push(() => client.destroy());
    const all = concatBytes(frames);

    client.write(all); // one write of four frames …
    await until(() => reads.reduce((n, r) => n + r.length, 0) === all.length);
    expect(reads.every((r) => r.length <= 5)).toBe(true); // … arrives as 5-byte pieces
    expect(reads.length).toBeGreaterThanOrEqual(Math.ceil(all.length / 5));
    expect(toHex(Buffer.concat(reads))).toBe(toHex(all));

    // Now the other way round: four separate writes arrive as one.
    await e.call('chaos.set', { listenerId: proxy.id, chaos: { direction: 'c2s', coalesce: 4, coalesceWaitMs: 2000 } });
    reads.length = 0;
    for (const f of frames) { client.write(f); await new Promise((r) => setTimeout(r, 15)); }
    await until(() => reads.reduce((n, r) => n + r.length, 0) === all.length);
    expect(reads).toHaveLength(1);
    expect(toHex(reads[0])).toBe(toHex(all));

    // Chaos off: the plain pipe again.
    expect(await e.call('chaos.set', { listenerId: proxy.id, chaos: null })).toBeNull();
    reads.length = 0;
    client.write(frames[0]);
    await until(() => reads.length === 1);
    const rows = (await e.call('connection.frames', { connection: 1 })).map((r) => r.message);
    expect(rows).toEqual(Array(9).fill('ReportJobResult'));
  });

  it('refuses settings that make no sense', async () => {
    const e = newEngine();
    const proxy = await e.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: 9 }, protocol: 'flyer' });
    await expect(e.call('chaos.set', { listenerId: proxy.id, chaos: { direction: 'c2s', splitBytes: 0 } })).rejects.toThrow(/splitBytes/);
    await expect(e.call('chaos.set', { listenerId: proxy.id, chaos: { direction: 'up' as 'c2s' } })).rejects.toThrow(/direction/);
  });
});

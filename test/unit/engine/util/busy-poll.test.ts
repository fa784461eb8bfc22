/** Busy polling: the loop keeps turning for the window after activity, then sleeps; the proxy touches it per read. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyListener } from '../../../../electron/engine/proxy/proxy-listener';
import { busyPoll } from '../../../../electron/engine/util/busy-poll';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

async function untilIdle(): Promise<void> {
  for (let i = 0; i < 100 && busyPoll.active; i++) await sleep(5);
  expect(busyPoll.active).toBe(false);
}

describe('busyPoll', () => {
  it('does nothing for a window of 0', async () => {
    await untilIdle();
    const turns = busyPoll.turns;
    busyPoll.touch(0);
    expect(busyPoll.active).toBe(false);
    await sleep(5);
    expect(busyPoll.turns).toBe(turns);
  });

  it('keeps the event loop turning for the window, then stops and costs nothing while idle', async () => {
    await untilIdle();
    const turns = busyPoll.turns;
    const t0 = performance.now();
    busyPoll.touch(20_000);
    expect(busyPoll.active).toBe(true);
    while (busyPoll.active) await new Promise((r) => setImmediate(r));
    const spun = performance.now() - t0;
    expect(spun).toBeGreaterThanOrEqual(20);
    expect(busyPoll.turns - turns).toBeGreaterThan(20); // many turns, not one timer
    // Idle afterwards: the process sleeps (a loop still spinning would use about all of these 200 ms).
    const cpu0 = process.cpuUsage();
    await sleep(200);
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(100);
    expect(busyPoll.active).toBe(false);
  });

  it('extends the window on each touch, never shortens it', async () => {
    await untilIdle();
    const t0 = performance.now();
    busyPoll.touch(30_000);
    busyPoll.touch(1);
    while (busyPoll.active) await new Promise((r) => setImmediate(r));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(30);
  });
});

describe('ProxyListener busy polling', () => {
  async function echoThrough(busyPollMicros: number): Promise<void> {
    const server: Server = createServer((s) => s.on('data', (d) => s.write(d)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const upstreamPort = (server.address() as { port: number }).port;
    const proxy = new ProxyListener({ port: 0, upstream: { host: '127.0.0.1', port: upstreamPort }, recorder: { open: () => 1, record: () => undefined }, busyPollMicros });
    const port = await proxy.listen();
    const client: Socket = await new Promise((resolve) => { const s = connect({ port, host: '127.0.0.1' }, () => resolve(s)); });
    cleanup.push(() => { client.destroy(); return proxy.close().then(() => new Promise<void>((r) => server.close(() => r()))); });
    await untilIdle();
    const echoed = new Promise<Buffer>((r) => client.once('data', r));
    client.write('ping');
    expect(String(await echoed)).toBe('ping');
  }

  it('keeps polling after relaying, for the window it was given', async () => {
    await echoThrough(200_000);
    expect(busyPoll.active).toBe(true);
  });

  it('sleeps at once with busy polling off', async () => {
    await echoThrough(0);
    expect(busyPoll.active).toBe(false);
  });
});

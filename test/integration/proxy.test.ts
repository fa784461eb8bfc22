/** The proxy with real sockets on loopback: bytes unchanged both ways, half-close, resets, a dead upstream, load. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyListener } from '../../electron/engine/proxy/proxy-listener';
import { sessionRecorder } from '../../electron/engine/proxy/session-recorder';
import { Session } from '../../electron/engine/session/session';
import { getProtocol } from '../../shared/protocols/index';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

async function upstream(onSocket: (s: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); onSocket(s); });
  const port = await listen(server);
  cleanup.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return port;
}

async function proxy(upstreamPort: number, protocol = 'auto'): Promise<{ port: number; session: Session }> {
  const session = new Session();
  const p = new ProxyListener({ port: 0, upstream: { host: '127.0.0.1', port: upstreamPort }, recorder: sessionRecorder(session, { protocol }), connectTimeoutMs: 2000 });
  const port = await p.listen();
  cleanup.push(() => p.close());
  return { port, session };
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function readAll(s: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('close', () => resolve(Buffer.concat(parts)));
  });
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) throw new Error('timed out'); await new Promise((r) => setTimeout(r, 5)); }
};

describe('proxy', () => {
  it('relays bytes unchanged both ways and records decoded frames', async () => {
    const flyer = getProtocol('flyer')!;
    const req = flyer.encode('ShakeHand', 'c2s', { packet_id: '0', appCode: 'demo', vhost: '', req: 0 });
    const res = flyer.encode('ShakeHandResponse', 's2c', { packet_id: '0', resp: 1 });
    const port = await upstream((s) => {
      let got = 0;
      s.on('data', (d) => { got += d.length; if (got === req.length) { s.write(res); s.end(); } });
    });
    const { port: p, session } = await proxy(port, 'flyer');
    const c = await dial(p);
    const got = readAll(c);
    c.write(req.subarray(0, 5));
    setTimeout(() => c.end(req.subarray(5)), 20);
    expect(Buffer.compare(await got, Buffer.from(res))).toBe(0);
    await until(() => session.frameCount === 2);
    expect([session.row(0).message, session.row(1).message]).toEqual(['ShakeHand', 'ShakeHandResponse']);
    expect(session.row(1).pairedWith).toBe(1);
  });

  it('keeps a half-closed connection open for the other direction', async () => {
    const port = await upstream((s) => {
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.on('end', () => setTimeout(() => s.end(Buffer.concat([Buffer.from('echo:'), ...parts])), 30));
    });
    const { port: p, session } = await proxy(port);
    const c = await dial(p);
    const got = readAll(c);
    c.end('question');
    expect((await got).toString()).toBe('echo:question');
    await until(() => session.connections()[0]?.state === 'closed');
  });

  it('shows a dead upstream as a failed connection and closes the client at once', async () => {
    const dead = createServer();
    const deadPort = await listen(dead);
    await new Promise<void>((r) => dead.close(() => r()));
    const { port: p, session } = await proxy(deadPort);
    const c = await dial(p);
    const closed = new Promise<string>((resolve) => { c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)); c.on('close', () => resolve('closed')); });
    c.write('hello?');
    expect(['ECONNRESET', 'closed']).toContain(await closed);
    await until(() => session.connections()[0]?.state === 'failed');
    expect(session.connections()[0].error).toMatch(/upstream unreachable: .*ECONNREFUSED/);
    // The address once, not "h:p: ECONNREFUSED connect ECONNREFUSED h:p".
    expect(session.connections()[0].error!.split(String(deadPort)).length - 1).toBe(1);
  });

  it('passes a reset from the server on to the client', async () => {
    const port = await upstream((s) => s.once('data', () => s.resetAndDestroy()));
    const { port: p, session } = await proxy(port);
    const c = await dial(p);
    const outcome = new Promise<string>((resolve) => { c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')); c.on('close', () => resolve('close')); });
    c.write('x');
    expect(await outcome).toBe('ECONNRESET');
    await until(() => session.connections()[0]?.state === 'reset');
  });

  it('stops reading while the recorder is behind the disk, and relays the rest once it has caught up', async () => {
    let received = 0;
    const port = await upstream((s) => s.on('data', (d) => { received += d.length; }));
    // A recorder whose store falls behind with the first bytes, until the test lets it catch up.
    let behind = false;
    let fellBehind = false;
    let recorded = 0;
    let caughtUp: (() => void) | undefined;
    const p = new ProxyListener({
      port: 0, upstream: { host: '127.0.0.1', port },
      recorder: {
        open: () => 1,
        record: (_c, r) => { if (r.kind === 'data') { recorded += r.bytes.length; if (!fellBehind) behind = fellBehind = true; } },
        behind: () => behind,
        whenCaughtUp: (fn) => { caughtUp = fn; },
      },
    });
    const proxyPort = await p.listen();
    cleanup.push(() => p.close());
    const c = await dial(proxyPort);
    const total = 8 << 20;
    let sent = 0;
    const chunk = Buffer.alloc(64 << 10, 7);
    const pump = (): void => { while (sent < total) { sent += chunk.length; if (!c.write(chunk)) { c.once('drain', pump); return; } } };
    pump();
    await until(() => caughtUp !== undefined);
    // Held: what the proxy read before it paused went through, the rest waits in the kernel's socket buffers.
    await new Promise((r) => setTimeout(r, 200));
    const whileHeld = received;
    expect(whileHeld).toBe(recorded);
    expect(whileHeld).toBeLessThan(total / 2);
    behind = false;
    caughtUp!();
    await until(() => received === total);
    expect(recorded).toBe(total);
    c.destroy();
  });

  it('holds 1,000 concurrent connections', async () => {
    const port = await upstream((s) => s.on('data', (d) => s.write(d)));
    const { port: p, session } = await proxy(port);
    const clients = await Promise.all(Array.from({ length: 1000 }, () => dial(p)));
    const replies = await Promise.all(clients.map((c, i) => new Promise<string>((resolve) => {
      c.once('data', (d) => resolve(d.toString()));
      c.write(`client ${i}`);
    })));
    expect(replies.every((r, i) => r === `client ${i}`)).toBe(true);
    for (const c of clients) c.destroy();
    expect(session.connectionCount).toBe(1000);
  }, 60_000);
});

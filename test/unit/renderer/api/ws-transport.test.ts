import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../../../electron/engine/api/engine';
import { startWebServer, type RunningWebServer } from '../../../../electron/engine/api/web-server';
import { apiUrl, WsTransport, type SocketLike, type TransportState } from '../../../../renderer/src/api/ws-transport';
import { recordFlyer } from '../support/in-process';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function serve(port = 0): Promise<{ engine: Engine; server: RunningWebServer }> {
  const engine = new Engine();
  const server = await startWebServer(engine, { host: '127.0.0.1', port, staticDir: '/nonexistent', token: 'a'.repeat(48) });
  open.push({ close: () => engine.close() }, server);
  return { engine, server };
}

function transport(server: RunningWebServer, opts: { reconnect?: boolean; token?: string } = {}): WsTransport {
  const t = new WsTransport(`ws://127.0.0.1:${server.port}/api?token=${opts.token ?? server.token}`, {
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike, reconnect: opts.reconnect, minDelayMs: 50, maxDelayMs: 200,
  });
  open.push(t);
  return t;
}

describe('WsTransport against the real web server', () => {
  it('builds the API URL from the page location', () => {
    expect(apiUrl({ protocol: 'http:', host: '127.0.0.1:8712' })).toBe('ws://127.0.0.1:8712/api');
    expect(apiUrl({ protocol: 'https:', host: 'x:1' })).toBe('wss://x:1/api');
  });

  it('sends commands queued before the socket opened, and answers results and errors', async () => {
    const { server } = await serve();
    const t = transport(server);
    const [info, check, bad] = await Promise.all([
      t.call('session.info', {}),
      t.call('filter.check', { filter: 'flyer.nope == 1' }),
      t.call('frame.detail', { number: 99 }).catch((e: Error) => e),
    ]);
    expect(info.frames).toBe(0);
    expect(check).toMatchObject({ ok: false, error: { column: 0 } });
    expect((bad as Error).message).toMatch(/no frame 99/);
  });

  it('delivers batched events', async () => {
    const { engine, server } = await serve();
    const t = transport(server);
    const seen: number[] = [];
    t.on('session.changed', (e) => seen.push(e.frames));
    await t.call('session.info', {});
    recordFlyer(engine, 10);
    const end = Date.now() + 2000;
    while (!seen.includes(20) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seen.at(-1)).toBe(20);
    // 20 frames recorded at once arrive as one batched event, not twenty.
    expect(seen.length).toBeLessThanOrEqual(2);
  });

  it('is refused without the token, and says so', async () => {
    const { server } = await serve();
    const t = transport(server, { reconnect: false, token: 'b'.repeat(48) });
    const states: TransportState[] = [];
    t.onStatus((s) => states.push(s));
    await expect(t.call('session.info', {})).rejects.toThrow(/closed|lost/);
    expect(states.at(-1)).toBe('closed');
  });

  it('rejects a call in flight when the socket drops', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    open.push({ close: () => new Promise((r) => wss.close(r)) });
    await new Promise((r) => wss.once('listening', r));
    // A server that hangs up on the first command instead of answering.
    wss.on('connection', (ws) => ws.on('message', () => ws.terminate()));
    const port = (wss.address() as { port: number }).port;
    const t = new WsTransport(`ws://127.0.0.1:${port}/api`, { createSocket: (u) => new WebSocket(u) as unknown as SocketLike, reconnect: false });
    open.push(t);
    await expect(t.call('session.info', {})).rejects.toThrow(/lost/);
  });

  it('keeps calls made while disconnected and sends them once the engine is back', async () => {
    const first = await serve();
    const port = first.server.port;
    const t = transport(first.server);
    const states: TransportState[] = [];
    t.onStatus((s) => states.push(s));
    await t.call('session.info', {});
    await first.server.close();
    const end = Date.now() + 2000;
    while (t.state === 'open' && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(t.state).not.toBe('open');
    const queued = t.call('session.info', {});
    // A new engine on the same port, already holding frames: the transport finds it and the queued call goes out.
    const second = await serve(port);
    recordFlyer(second.engine, 1);
    expect((await queued).frames).toBe(2);
    expect(states).toContain('closed');
    expect(states.at(-1)).toBe('open');
  });
});

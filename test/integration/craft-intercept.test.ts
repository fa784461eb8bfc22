/**
 * Intercept through the engine's commands with the demo hodor executor behind the proxy and a scripted scheduler in
 * front: a request is held, edited and forwarded, and the executor acts on the edited one; order is kept; drops and
 * the hold timeout; mock rules on a proxy listener.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, until } from '../support/wait';
import type { EventName, HeldFrame } from '../../shared/api/contract';
import type { Doc } from '../../shared/codec/schema';
import { getProtocol } from '../../shared/protocols/index';
import { Engine } from '../../electron/engine/api/engine';
import { DemoConnection, type DemoExchange } from '../../electron/engine/demo/demo-connection';
import { startDemoServer } from '../../electron/engine/demo/demo';

const hodor = getProtocol('hodor')!;
const flyer = getProtocol('flyer')!;
const template = (m: string): Doc => hodor.messages.find((x) => x.name === m)!.template();

const cleanup = cleanupAfterEach();


/** The demo hodor executor behind a proxy listener of a fresh engine, and a scheduler connected through it. */
async function setup(protocol = 'hodor') {
  const engine = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-intercept-')) });
  const events: Array<{ event: EventName; data: unknown }> = [];
  engine.on((event, data) => events.push({ event, data }));
  cleanup.push(() => engine.close());
  const received: DemoExchange[] = [];
  const server = await startDemoServer(protocol, { port: 0, onExchange: (_line, x) => { if (!x.sent) received.push(x); } });
  cleanup.push(() => server.close());
  const proxy = await engine.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol });
  const client = await DemoConnection.connect(getProtocol(protocol)!, '127.0.0.1', proxy.boundPort);
  cleanup.push(() => client.destroy());
  return { engine, events, received, proxy, client };
}

const exec = (id: string, jobName: string): Doc => {
  const t = template('JobExecRequest');
  return { ...t, id, body: { ...(t.body as Doc), jobName, timeout: 60 } };
};
const beat = (id: string): Doc => ({ ...template('HeartbeatRequest'), id });

describe('intercept', () => {
  it('holds a hodor request, lets the user edit it, and the executor receives the edited one; later requests wait behind it', async () => {
    const { engine, events, received, proxy, client } = await setup();
    const settings = await engine.call('intercept.setRules', { listenerId: proxy.id, rules: [{ filter: 'hodor.body.jobName == "syncOrders"', direction: 'c2s' }] });
    expect(settings).toMatchObject({ holdTimeoutSeconds: 60, timeoutAction: 'forward' });

    await client.request('HeartbeatRequest', beat('1'), 'HeartbeatResponse'); // not matching: flows
    const execReply = client.next((f) => f.message === 'JobExecResponse' && f.value.id === '2');
    client.send('JobExecRequest', exec('2', 'syncOrders'));
    const [held] = await until(async () => { const l = await engine.call('intercept.list', {}); return l.length ? l : undefined; });
    expect(held).toMatchObject({ listenerId: proxy.id, direction: 'c2s', protocol: 'hodor', message: 'JobExecRequest', state: 'held' });
    expect((held.value!.body as Doc).jobName).toBe('syncOrders');
    expect(Date.parse(held.timeoutAt!) - Date.parse(held.heldAt)).toBe(60_000);

    const laterReply = client.next((f) => f.message === 'HeartbeatResponse' && f.value.id === '3');
    client.send('HeartbeatRequest', beat('3'));
    await new Promise((r) => setTimeout(r, 150));
    expect(received.map((x) => x.message)).toEqual(['HeartbeatRequest']); // neither the held one nor the one behind it

    const edited = { ...held.value!, body: { ...(held.value!.body as Doc), jobName: 'tamperedJob' } };
    const result = await engine.call('intercept.forward', { id: held.id, edit: { message: held.message, value: edited } });
    expect(result.state).toBe('modified');
    const data = ((await execReply).value.body as Doc).data as Doc;
    expect(data.jobKey).toMatchObject({ jobName: 'tamperedJob' }); // the executor answered the edited request
    await laterReply;
    expect(received.map((x) => x.message)).toEqual(['HeartbeatRequest', 'JobExecRequest', 'HeartbeatRequest']);
    expect(await engine.call('intercept.list', {})).toEqual([]);

    const conn = (await engine.call('connections.list', {})).find((c) => c.listenerId === proxy.id)!;
    const rows = await engine.call('connection.frames', { connection: conn.id });
    const modified = rows.find((r) => r.mark?.kind === 'modified')!;
    expect(modified).toMatchObject({ message: 'JobExecRequest', direction: 'c2s' });
    expect(modified.mark!.original).toBe(held.hex);
    const detail = await engine.call('frame.detail', { number: modified.number });
    expect(((hodor.decode(Buffer.from(detail.hex, 'hex'), 'c2s').value.body) as Doc).jobName).toBe('tamperedJob');
    expect(hodor.decode(Buffer.from(modified.mark!.original!, 'hex'), 'c2s').value.body).toMatchObject({ jobName: 'syncOrders' });
    expect(rows.find((r) => r.message === 'JobExecResponse')?.pairedWith).toBe(modified.number);
    const changes = () => events.filter((e) => e.event === 'intercept.changed').map((e) => (e.data as { held: HeldFrame[] }).held.length);
    expect(changes()).toContain(1);
    await until(() => changes().at(-1) === 0);
  });

  it('drops a held request: the executor never sees it, the session shows it as dropped', async () => {
    const { engine, received, proxy, client } = await setup();
    await engine.call('intercept.setRules', { listenerId: proxy.id, rules: [{ filter: 'hodor.body.requestId == 424242', direction: 'both' }] });
    client.send('FetchJobStatusRequest', { ...template('FetchJobStatusRequest'), id: '9', body: { requestId: 424242 } });
    const [held] = await until(async () => { const l = await engine.call('intercept.list', { listenerId: proxy.id }); return l.length ? l : undefined; });
    expect((await engine.call('intercept.drop', { id: held.id })).state).toBe('dropped');
    await client.request('HeartbeatRequest', beat('10'), 'HeartbeatResponse');
    expect(received.map((x) => x.message)).toEqual(['HeartbeatRequest']);
    const conn = (await engine.call('connections.list', {})).find((c) => c.listenerId === proxy.id)!;
    const dropped = (await engine.call('connection.frames', { connection: conn.id })).find((r) => r.mark?.kind === 'dropped');
    expect(dropped).toMatchObject({ message: 'FetchJobStatusRequest', mark: { forwarded: false } });
    await expect(engine.call('intercept.forward', { id: held.id })).rejects.toThrow(/no held frame/);
  });

  it('forwards by itself after the hold timeout, and releases everything on request', async () => {
    const { engine, received, proxy, client } = await setup();
    await engine.call('intercept.setRules', { listenerId: proxy.id, rules: [{ filter: 'hodor', direction: 'c2s' }], holdTimeoutSeconds: 1 });
    const t0 = Date.now();
    await client.request('HeartbeatRequest', beat('20'), 'HeartbeatResponse');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await engine.call('intercept.setRules', { listenerId: proxy.id, rules: [{ filter: 'hodor', direction: 'c2s' }], holdTimeoutSeconds: 0 });
    const answers = [client.next((f) => f.value.id === '21'), client.next((f) => f.value.id === '22')];
    client.send('HeartbeatRequest', beat('21'));
    client.send('HeartbeatRequest', beat('22'));
    await until(async () => (await engine.call('intercept.list', {})).length === 2);
    expect(await engine.call('intercept.releaseAll', { listenerId: proxy.id })).toEqual({ released: 2 });
    await Promise.all(answers);
    expect(received.map((x) => x.message)).toEqual(['HeartbeatRequest', 'HeartbeatRequest', 'HeartbeatRequest']);
    // Rules off: the connection is a plain pipe again.
    await engine.call('intercept.setRules', { listenerId: proxy.id, rules: [] });
    await client.request('HeartbeatRequest', beat('23'), 'HeartbeatResponse');
  });

  it('frames an HTTP response by its request with a rule on responses only: the reply to a HEAD is passed on at once', async () => {
    const engine = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-intercept-')) });
    cleanup.push(() => engine.close());
    // A real HTTP server: a HEAD reply carries the GET's Content-Length and no body (RFC 9112 §6.3).
    const server = createServer((req, res) => res.writeHead(200, { 'content-length': 5 }).end(req.method === 'HEAD' ? undefined : 'hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const proxy = await engine.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: (server.address() as AddressInfo).port }, protocol: 'auto' });
    await engine.call('intercept.setRules', { listenerId: proxy.id, rules: [{ filter: 'http.status_code == 599', direction: 's2c' }] });

    const socket = connect(proxy.boundPort, '127.0.0.1');
    cleanup.push(() => socket.destroy());
    let replies = '';
    socket.on('data', (b) => { replies += b.toString('latin1'); });
    // Before the relay framed requests here, it waited for the 5 body bytes the HEAD's reply announces and never
    // passed the reply on: the client hung.
    socket.write('HEAD /info HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => replies.endsWith('\r\n\r\n'), 3000);
    socket.write('GET /info HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => replies.endsWith('\r\n\r\nhello'), 3000);
    expect(replies.match(/HTTP\/1\.1 200/g)).toHaveLength(2);

    const conn = (await engine.call('connections.list', {})).find((c) => c.listenerId === proxy.id)!;
    const rows = await until(async () => { const r = await engine.call('connection.frames', { connection: conn.id }); return r.length === 4 ? r : undefined; });
    const responses = rows.filter((r) => r.direction === 's2c');
    expect(responses.map((r) => [r.length, r.malformed ?? false])).toEqual([[replies.indexOf('HTTP/1.1 200', 1), false], [replies.length - replies.indexOf('HTTP/1.1 200', 1), false]]);
    expect(await engine.call('intercept.list', {})).toEqual([]);
  });

  it('refuses a rule with a bad filter, showing where', async () => {
    const { engine, proxy } = await setup();
    await expect(engine.call('intercept.setRules', { listenerId: proxy.id, rules: [{ filter: 'hodor.nope == 1', direction: 'c2s' }] })).rejects.toThrow(/rules\[0\]\.filter: "hodor\.nope" is not a valid field \(column 1/);
    await expect(engine.call('intercept.setRules', { listenerId: 'proxy-99', rules: [] })).rejects.toThrow(/no proxy listener proxy-99/);
  });
});

describe('mock rules on a proxy listener', () => {
  it('answers matching requests itself (the server never sees them) and forwards the rest', async () => {
    const { engine, received, proxy, client } = await setup('flyer');
    const mock = await engine.call('mock.add', {
      listenerId: proxy.id,
      rules: [{ name: 'beat', match: 'flyer.protocol == Heartbeat', reply: { message: 'HeartbeatResponse', value: { packet_id: '{{request.value.packet_id}}', resp: 1, serverVersion: 99 } } }],
    });
    expect(mock).toMatchObject({ protocol: 'flyer', listenerId: proxy.id });
    const shake = await client.request('ShakeHand', { packet_id: '0', appCode: 'demo-app', vhost: '', req: 0 }, 'ShakeHandResponse');
    expect(shake.value.resp).toBe(1);
    const hb = await client.request('Heartbeat', { packet_id: '5', appCode: 'demo-app', vhost: '', req: 0 }, 'HeartbeatResponse');
    expect(hb.value).toMatchObject({ packet_id: '5', serverVersion: 99 });
    expect(received.map((x) => x.message)).toEqual(['ShakeHand']);
    const conn = (await engine.call('connections.list', {})).find((c) => c.listenerId === proxy.id)!;
    const rows = await engine.call('connection.frames', { connection: conn.id });
    const answered = rows.find((r) => r.mark?.kind === 'answered')!;
    const reply = rows.find((r) => r.mark?.kind === 'mock')!;
    expect([answered.message, reply.message, reply.pairedWith]).toEqual(['Heartbeat', 'HeartbeatResponse', answered.number]);

    await engine.call('mock.remove', { id: mock.id });
    const real = await client.request('Heartbeat', { packet_id: '6', appCode: 'demo-app', vhost: '', req: 0 }, 'HeartbeatResponse');
    expect(real.value.serverVersion).toBe(7);
    void flyer;
  });
});

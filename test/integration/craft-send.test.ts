/**
 * Client sessions, sequences and injection through the engine's commands, against the demo peers on loopback: what
 * the UI does when it sends a crafted message, replays a sequence or injects into a proxied connection.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, until } from '../support/wait';
import type { Events, EventName, SequenceFile } from '../../shared/api/contract';
import { toHex } from '../../shared/codec/bytes';
import { getProtocol } from '../../shared/protocols/index';
import { Engine } from '../../electron/engine/api/engine';
import { DemoConnection } from '../../electron/engine/demo/demo-connection';
import { startDemoServer } from '../../electron/engine/demo/demo';

const tt = getProtocol('tt')!;
const flyer = getProtocol('flyer')!;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const LOGIN = { username: 'zhangsan', password: md5('123456'), online_status: 1, client_type: 1, client_version: '2.0.1' };

const cleanup = cleanupAfterEach();

function engine(): { engine: Engine; events: Array<{ event: EventName; data: unknown }> } {
  const e = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-craft-')) });
  const events: Array<{ event: EventName; data: unknown }> = [];
  e.on((event, data) => events.push({ event, data }));
  cleanup.push(() => e.close());
  return { engine: e, events };
}


async function demoServer(protocol: string) {
  const s = await startDemoServer(protocol, { port: 0 });
  cleanup.push(() => s.close());
  return s;
}

describe('client sessions', () => {
  it('cuts the reply to a HEAD the composer sent without the body its Content-Length announces', async () => {
    const { engine: e } = engine();
    // A real HTTP server: a HEAD reply carries the GET's Content-Length and no body (RFC 9112 §6.3).
    const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': 13 }).end(req.method === 'HEAD' ? undefined : '{"version":1}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const info = await e.call('craft.connect', { host: '127.0.0.1', port: (server.address() as AddressInfo).port, protocol: 'http' });
    const request = (method: string) => ({ hex: toHex(new TextEncoder().encode(`${method} /info HTTP/1.1\r\nHost: x\r\n\r\n`)) });
    await e.call('craft.send', { id: info.id, payload: request('HEAD') });
    await e.call('craft.send', { id: info.id, payload: request('GET') });
    const rows = await until(async () => {
      const r = await e.call('connection.frames', { connection: info.connection });
      return r.filter((x) => x.message === 'Response').length === 2 ? r : undefined;
    });
    const responses = rows.filter((r) => r.message === 'Response');
    expect(responses.map((r) => r.malformed)).toEqual([false, false]);
    // The HEAD's reply is its header alone; the GET's carries the 13 bytes.
    expect(responses[1].length - responses[0].length).toBe(13);
    expect(responses.map((r) => r.pairedWith)).toEqual([rows[0].number, rows[1].number]);
    const sessions = await e.call('craft.list', {});
    expect(sessions.find((s) => s.id === info.id)).toMatchObject({ received: 2 });
  });

  it('sends a crafted tt LoginRequest to the demo tt server and shows the decoded, paired LoginResponse', async () => {
    const { engine: e, events } = engine();
    const server = await demoServer('tt');
    const info = await e.call('craft.connect', { host: '127.0.0.1', port: server.port, protocol: 'tt' });
    expect(info).toMatchObject({ state: 'open', protocol: 'tt' });
    const value = { ...tt.messages.find((m) => m.name === 'LoginRequest')!.template(), ...LOGIN, reserved: 11 };
    const sent = await e.call('craft.send', { id: info.id, payload: { message: 'LoginRequest', value } });
    expect(sent.hex).toBe(toHex(tt.encode('LoginRequest', 'c2s', value)));
    expect(sent.frames).toHaveLength(1);

    const rows = await until(async () => {
      const r = await e.call('connection.frames', { connection: info.connection });
      return r.some((x) => x.message === 'LoginResponse') ? r : undefined;
    });
    const response = rows.find((r) => r.message === 'LoginResponse')!;
    expect(response).toMatchObject({ direction: 's2c', pairedWith: sent.frames[0], protocol: 'tt' });
    const detail = await e.call('frame.detail', { number: response.number });
    const decoded = tt.decode(Buffer.from(detail.hex, 'hex'), 's2c');
    expect(decoded.value).toMatchObject({ result: 0, reserved: 11, user_id_url: '1001' });
    expect((await e.call('connections.list', {})).find((c) => c.id === info.connection)).toMatchObject({ source: 'craft', protocol: 'tt' });

    await e.call('craft.close', { id: info.id });
    expect(await e.call('craft.list', {})).toEqual([]);
    await until(() => events.some((x) => x.event === 'craft.status'));
  });

  it('reports a refused connection as a one-line error', async () => {
    const { engine: e } = engine();
    const server = await demoServer('flyer');
    const port = server.port;
    await server.close();
    await expect(e.call('craft.connect', { host: '127.0.0.1', port, protocol: 'flyer' })).rejects.toThrow(/cannot connect to 127\.0\.0\.1:\d+: connection refused/);
  });

  it('sends raw hex as given, and refuses a document the codec cannot encode with the field at fault', async () => {
    const { engine: e } = engine();
    const server = await demoServer('flyer');
    const { id, connection } = await e.call('craft.connect', { host: '127.0.0.1', port: server.port, protocol: 'flyer' });
    const hb = flyer.encode('Heartbeat', 'c2s', { packet_id: '0', appCode: 'x', vhost: '', req: 0 });
    await e.call('craft.send', { id, payload: { hex: toHex(hb).replace(/(..)/g, '$1 ') } });
    await until(async () => (await e.call('connection.frames', { connection })).find((r) => r.message === 'HeartbeatResponse'));
    await expect(e.call('craft.send', { id, payload: { message: 'Heartbeat', value: { packet_id: 'x' } } })).rejects.toThrow(/packet_id/);
    await expect(e.call('craft.send', { id, payload: { message: 'Nope', value: {} } })).rejects.toThrow(/flyer has no message 'Nope'/);
  });
});

describe('sequences', () => {
  const login: SequenceFile = {
    format: 'framescope-sequence', version: 1, name: 'login and look myself up', protocol: 'tt',
    steps: [
      { name: 'login', message: 'LoginRequest', value: { reserved: '{{seq}}', ...LOGIN }, waitReply: true },
      { message: 'UserInfoRequest', value: { reserved: '{{seq}}', user: [{ user_id_url: '{{reply.login.value.user_id_url}}' }] }, waitReply: true },
    ],
  };
  const chatter: SequenceFile = {
    protocol: 'tt', repeat: 3, delayMs: 5,
    steps: [
      { message: 'Heartbeat', value: {}, expect: 'Heartbeat' },
      { name: 'time', message: 'TimeRequest', value: { reserved: '{{seq}}' }, waitReply: true },
      { message: 'UserStatusRequest', value: { reserved: '{{seq}}', user_id_url: '100{{iteration}}' }, waitReply: true },
    ],
  };

  it('runs steps in order with replies feeding later steps, repeated, every reply paired', async () => {
    const { engine: e, events } = engine();
    const server = await demoServer('tt');
    const started = await e.call('sequence.run', { sequence: login, target: { connect: { host: '127.0.0.1', port: server.port } } });
    expect(started).toMatchObject({ state: 'running', steps: 2, repeat: 1 });
    const first = await until(async () => (await e.call('sequence.list', {})).find((r) => r.runId === started.runId && r.state !== 'running'));
    expect(first).toMatchObject({ state: 'done', sent: 2, replies: 2 });
    // The same client session, logged in: a second run repeats its steps.
    const again = await e.call('sequence.run', { sequence: chatter, target: { session: first.session! } });
    const done = await until(async () => (await e.call('sequence.list', {})).find((r) => r.runId === again.runId && r.state !== 'running'));
    expect(done).toMatchObject({ state: 'done', sent: 9, replies: 9, session: first.session }); // the heartbeat echo pairs too

    const session = (await e.call('craft.list', {})).find((s) => s.id === first.session)!;
    const rows = await e.call('connection.frames', { connection: session.connection });
    const sentRows = rows.filter((r) => r.direction === 'c2s');
    expect(sentRows.map((r) => r.message)).toEqual(['LoginRequest', 'UserInfoRequest', ...Array(3).fill(['Heartbeat', 'TimeRequest', 'UserStatusRequest']).flat()]);
    expect([...first.frames, ...done.frames]).toEqual(sentRows.map((r) => r.number));
    const decode = async (n: number, d: 'c2s' | 's2c') => tt.decode(Buffer.from((await e.call('frame.detail', { number: n })).hex, 'hex'), d).value;
    expect((await decode(sentRows[1].number, 'c2s')).user).toEqual([{ user_id_url: '1001' }]);
    const info = rows.find((r) => r.message === 'UserInfoResponse')!;
    expect(info.pairedWith).toBe(sentRows[1].number);
    expect((await decode(info.number, 's2c')).user).toEqual([expect.objectContaining({ user_id_url: '1001', name: '张三' })]);
    const statuses = rows.filter((r) => r.message === 'UserStatusRequest');
    expect(await Promise.all(statuses.map(async (r) => (await decode(r.number, 'c2s')).user_id_url))).toEqual(['1000', '1001', '1002']);
    for (const r of rows.filter((x) => x.message === 'TimeResponse' || x.message === 'UserStatusResponse')) expect(r.pairedWith).toBeDefined();
    await until(() => events.some((x) => x.event === 'sequence.progress' && (x.data as Events['sequence.progress']).runs.some((r) => r.state === 'done')));
  });

  it('fails with the reason when the server hangs up (a wrong password), and names unknown variables before sending', async () => {
    const { engine: e } = engine();
    const server = await demoServer('tt');
    const bad: SequenceFile = { protocol: 'tt', steps: [{ message: 'LoginRequest', value: { ...LOGIN, reserved: 1, password: 'wrong' }, waitReply: true }, { message: 'TimeRequest', value: { reserved: 2 }, waitReply: true }] };
    const run = await e.call('sequence.run', { sequence: bad, target: { connect: { host: '127.0.0.1', port: server.port } } });
    const done = await until(async () => (await e.call('sequence.list', {})).find((r) => r.runId === run.runId && r.state !== 'running'));
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/^step 1: the connection (is )?closed/);
    await expect(e.call('sequence.run', { sequence: { protocol: 'tt', steps: [{ message: 'TimeRequest', value: { reserved: '{{reply.nope.value.x}}' } }] }, target: { connect: { host: '127.0.0.1', port: server.port } } }))
      .rejects.toThrow(/\{\{reply\.nope…\}\} names no earlier step/);
  });

  it('can be stopped while it waits', async () => {
    const { engine: e } = engine();
    const server = await demoServer('tt');
    const slow: SequenceFile = { protocol: 'tt', delayMs: 10_000, steps: [{ message: 'TimeRequest', value: {} }] };
    const run = await e.call('sequence.run', { sequence: slow, target: { connect: { host: '127.0.0.1', port: server.port } } });
    await e.call('sequence.stop', { runId: run.runId });
    expect(await until(async () => (await e.call('sequence.list', {})).find((r) => r.runId === run.runId && r.state === 'stopped'))).toMatchObject({ sent: 0 });
  });
});

describe('injection into a proxied connection', () => {
  it('writes towards the server and towards the client, in stream order, marked as injected', async () => {
    const { engine: e } = engine();
    const server = await demoServer('flyer');
    const proxy = await e.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol: 'flyer' });
    const client = await DemoConnection.connect(flyer, '127.0.0.1', proxy.boundPort);
    cleanup.push(() => client.destroy());
    await client.request('ShakeHand', { packet_id: '0', appCode: 'demo-app', vhost: '', req: 0 }, 'ShakeHandResponse');
    const conn = await until(async () => (await e.call('connections.list', {})).find((c) => c.listenerId === proxy.id));

    // Towards the server: the server answers a heartbeat the client never sent.
    const toServer = await e.call('craft.inject', { connection: conn.id, direction: 'c2s', payload: { message: 'Heartbeat', value: { packet_id: '0', appCode: 'injected', vhost: '', req: 0 } } });
    expect(toServer.frames).toHaveLength(1);
    expect((await client.next('HeartbeatResponse')).value).toMatchObject({ packet_id: '0', resp: 1 });
    // Towards the client: a CancelJob the server never sent.
    await e.call('craft.inject', { connection: conn.id, direction: 's2c', payload: { message: 'CancelJob', value: { packet_id: '77', jobBeanId: 'injectedJob' } } });
    expect((await client.next('CancelJob')).value).toMatchObject({ packet_id: '77', jobBeanId: 'injectedJob' });

    const rows = await e.call('connection.frames', { connection: conn.id });
    const injected = rows.filter((r) => r.mark?.kind === 'injected');
    expect(injected.map((r) => `${r.direction} ${r.message}`)).toEqual(['c2s Heartbeat', 's2c CancelJob']);
    expect(injected[0].number).toBe(toServer.frames[0]);
    expect(rows.find((r) => r.message === 'HeartbeatResponse')?.pairedWith).toBe(injected[0].number);
    const detail = await e.call('frame.detail', { number: injected[1].number });
    expect(detail.mark).toMatchObject({ kind: 'injected', forwarded: true });
    expect(detail.notes?.some((n) => /injected/.test(n.message))).toBe(true);
  });

  it('runs a sequence into a live proxied connection and reads the replies from the session', async () => {
    const { engine: e } = engine();
    const server = await demoServer('flyer');
    const proxy = await e.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol: 'flyer' });
    const client = await DemoConnection.connect(flyer, '127.0.0.1', proxy.boundPort);
    cleanup.push(() => client.destroy());
    await client.request('ShakeHand', { packet_id: '0', appCode: 'demo-app', vhost: '', req: 0 }, 'ShakeHandResponse');
    const conn = await until(async () => (await e.call('connections.list', {})).find((c) => c.listenerId === proxy.id));
    const seq: SequenceFile = {
      protocol: 'flyer', repeat: 3,
      steps: [{ name: 'beat', message: 'Heartbeat', value: { packet_id: '0', appCode: 'seq-{{iteration}}', vhost: '', req: 0 }, waitReply: true },
        { message: 'ReportJobResult', value: { packet_id: '{{random}}', jobBeanId: 'v{{reply.beat.value.serverVersion}}', result: 0, logStr: 'from a sequence' }, waitReply: true }],
    };
    const run = await e.call('sequence.run', { sequence: seq, target: { connection: conn.id, direction: 'c2s' } });
    const done = await until(async () => (await e.call('sequence.list', {})).find((r) => r.runId === run.runId && r.state !== 'running'));
    expect(done).toMatchObject({ state: 'done', sent: 6, replies: 6 });
    const reports = (await e.call('connection.frames', { connection: conn.id })).filter((r) => r.message === 'ReportJobResultResponse');
    expect(reports).toHaveLength(3);
    const v = flyer.decode(Buffer.from((await e.call('frame.detail', { number: reports[0].number })).hex, 'hex'), 's2c').value;
    expect(v.jobBeanId).toBe('v7');
  });

  it('refuses connections that are not live, and directions a connection cannot take', async () => {
    const { engine: e } = engine();
    const server = await demoServer('flyer');
    const { connection } = await e.call('craft.connect', { host: '127.0.0.1', port: server.port, protocol: 'flyer' });
    await expect(e.call('craft.inject', { connection, direction: 's2c', payload: { hex: '00' } })).rejects.toThrow(/sends c2s only/);
    await expect(e.call('craft.inject', { connection: 999, direction: 'c2s', payload: { hex: '00' } })).rejects.toThrow(/no connection 999/);
  });
});

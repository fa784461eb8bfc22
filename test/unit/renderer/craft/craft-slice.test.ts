/** The craft slice over a real in-process engine and real sockets: send, edit & resend, intercept, mocks, chaos. */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/api/engine';
import { startDemoServer, type DemoServer } from '../../../../electron/engine/demo/demo';
import { getProtocol } from '../../../../shared/protocols/index';
import { NEED_MORE } from '../../../../shared/codec/protocol';
import { bindEngineEvents } from '../../../../renderer/src/stores/bind-events';
import { createAppStore, type AppStore } from '../../../../renderer/src/stores/store';
import { draftFromTemplate } from '../../../../renderer/src/features/composer/composer-model';
import { services } from '../support/in-process';

let engine: Engine;
let store: AppStore;
const servers: DemoServer[] = [];
const sockets: net.Socket[] = [];

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw client that collects decoded replies. */
async function client(port: number, protocolId: string): Promise<{ socket: net.Socket; replies: { message: string; value: Record<string, unknown> }[] }> {
  const protocol = getProtocol(protocolId)!;
  const framer = protocol.framer('s2c');
  const replies: { message: string; value: Record<string, unknown> }[] = [];
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let buf = new Uint8Array(0);
  socket.on('data', (d: Buffer) => {
    const next = new Uint8Array(buf.length + d.length);
    next.set(buf);
    next.set(d, buf.length);
    buf = next;
    for (;;) {
      const n = framer.frame(buf, 0, buf.length);
      if (n <= 0 || n === NEED_MORE) break;
      const f = protocol.decode(buf.subarray(0, n), 's2c');
      replies.push({ message: f.message, value: f.value });
      buf = buf.slice(n);
    }
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, replies };
}

beforeEach(async () => {
  engine = new Engine();
  const svc = services(engine);
  store = createAppStore(svc);
  bindEngineEvents(store, svc.api);
  await store.getState().init();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  store.getState().rows.dispose();
  await engine.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('craft slice over a real engine', () => {
  it('sends the composer’s document on a new connection, keeps the session open, and edits a recorded frame', async () => {
    const tt = await startDemoServer('tt', { port: 0 });
    servers.push(tt);
    const s = store.getState;
    await s().openComposer(draftFromTemplate('tt', 'LoginRequest'), { kind: 'connect', host: '127.0.0.1', port: tt.port });
    s().updateDraft({ text: JSON.stringify({ ...JSON.parse(s().composer!.draft.text), reserved: 9 }) });
    const sent = await s().sendComposer();
    expect(sent && 'frames' in sent ? sent.frames.length : 0).toBe(1);
    const session = s().craftSessions[0];
    expect(session).toMatchObject({ state: 'open', port: tt.port });
    expect(s().composer!.target).toEqual({ kind: 'session', id: session.id });
    expect(s().composer!.last?.length).toBeGreaterThan(12);

    await until('the reply', () => s().frames >= 2);
    const rows = await engine.call('connection.frames', { connection: session.connection });
    const reply = rows.find((r) => r.message === 'LoginResponse')!;
    expect(reply).toBeDefined();

    // Edit & resend the request: the composer opens on its decoded document, aimed at our session.
    s().closeComposer();
    // Reopened, the composer continues from the closed draft.
    await s().openComposer();
    expect(JSON.parse(s().composer!.draft.text)).toMatchObject({ reserved: 9 });
    s().closeComposer();
    const request = rows.find((r) => r.message === 'LoginRequest')!;
    await s().editFrame(request.number);
    expect(s().composer).toMatchObject({ origin: `frame ${request.number}`, target: { kind: 'session', id: session.id } });
    expect(JSON.parse(s().composer!.draft.text)).toMatchObject({ username: 'zhangsan', reserved: 9 });
    // A server's frame is edited for injection towards the client.
    await s().editFrame(reply.number);
    expect(s().composer!.target).toEqual({ kind: 'inject', connection: session.connection, direction: 's2c' });
    await s().closeCraft(session.id);
    expect(s().craftSessions.filter((x) => x.id === session.id && x.state === 'open')).toEqual([]);
    // With that connection gone, the request is aimed at its server on a new connection (an injection would fail).
    for (let i = 0; i < 100 && (await engine.call('connections.list', {})).find((c) => c.id === session.connection)?.state === 'open'; i++) await new Promise((r) => setTimeout(r, 50));
    await s().editFrame(request.number);
    expect(s().composer!.target).toEqual({ kind: 'connect', host: '127.0.0.1', port: tt.port });
  });

  it('holds a request by an intercept rule, forwards it edited from the composer, and lists it as modified', async () => {
    const hodor = await startDemoServer('hodor', { port: 0 });
    servers.push(hodor);
    const s = store.getState;
    const listener = (await s().addProxy({ host: '127.0.0.1', port: 0, upstream: { host: '127.0.0.1', port: hodor.port }, protocol: 'hodor' }))!;
    expect(await s().setInterceptRules(listener.id, [{ filter: 'hodor', direction: 'c2s' }], 0)).toBe(true);
    expect(s().intercept[listener.id]).toMatchObject({ holdTimeoutSeconds: 0, rules: [{ filter: 'hodor' }] });

    const hodorP = getProtocol('hodor')!;
    const c = await client(listener.boundPort, 'hodor');
    const tmpl = hodorP.messages.find((m) => m.name === 'HeartbeatRequest')!.template();
    c.socket.write(hodorP.encode('HeartbeatRequest', 'c2s', { ...tmpl, id: '11' }));
    await until('the held frame', () => s().held.length === 1);
    const held = s().held[0];
    expect(held.value).toMatchObject({ id: '11' });

    await s().editHeld(held.id);
    expect(s().composer!.target).toEqual({ kind: 'held', id: held.id });
    s().updateDraft({ text: JSON.stringify({ ...held.value, id: '12' }) });
    await s().sendComposer();
    await until('the reply', () => c.replies.length === 1);
    expect(c.replies[0].value.id).toBe('12');
    expect(s().held).toEqual([]);
    expect(s().decided[0]).toMatchObject({ id: held.id, state: 'modified' });

    // A second one, dropped: the server never sees it.
    c.socket.write(hodorP.encode('HeartbeatRequest', 'c2s', { ...tmpl, id: '13' }));
    await until('the second held frame', () => s().held.length === 1);
    await s().dropHeld(s().held[0].id);
    expect(s().decided[0].state).toBe('dropped');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.replies).toHaveLength(1);
  });

  it('adds a mock responder that answers by its rules and reports what it could not answer', async () => {
    const s = store.getState;
    const flyer = getProtocol('flyer')!;
    const mock = (await s().addMock({
      listen: { host: '127.0.0.1', port: 0 }, protocol: 'flyer',
      rules: [{ match: 'fs.message == "Heartbeat"', reply: { message: 'HeartbeatResponse', value: { packet_id: '{{request.value.packet_id}}', resp: 1, serverVersion: 7 } } }],
    }))!;
    expect(s().mocks.map((m) => m.id)).toEqual([mock.id]);
    const c = await client(mock.listen!.port, 'flyer');
    const hb = flyer.messages.find((m) => m.name === 'Heartbeat')!.template();
    c.socket.write(flyer.encode('Heartbeat', 'c2s', { ...hb, packet_id: '77' }));
    await until('the mock reply', () => c.replies.length === 1);
    expect(c.replies[0]).toMatchObject({ message: 'HeartbeatResponse', value: { packet_id: '77' } });
    c.socket.write(flyer.encode('ShakeHand', 'c2s', flyer.messages.find((m) => m.name === 'ShakeHand')!.template()));
    await until('the unanswered request', () => s().unanswered.length === 1);
    expect(s().unanswered[0]).toMatchObject({ mockId: mock.id, message: 'ShakeHand' });
    await s().removeMock(mock.id);
    expect(s().mocks).toEqual([]);
    expect(s().unanswered).toEqual([]);
  });

  it('sets, reads and clears a listener’s chaos', async () => {
    const s = store.getState;
    const listener = (await s().addProxy({ host: '127.0.0.1', port: 0, upstream: { host: '127.0.0.1', port: 9 }, protocol: 'flyer' }))!;
    expect(await s().setChaos(listener.id, { direction: 'both', splitBytes: 5, coalesce: 2 })).toBe(true);
    await s().loadChaos(listener.id);
    expect(s().chaos[listener.id]).toMatchObject({ splitBytes: 5, coalesce: 2 });
    expect(await s().setChaos(listener.id, null)).toBe(true);
    expect(s().chaos[listener.id]).toBeNull();
    expect(await s().setChaos('nope', { direction: 'both' })).toBe(false);
    expect(s().notices.at(-1)?.message).toMatch(/Chaos/);
  });
});

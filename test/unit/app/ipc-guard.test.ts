/**
 * The IPC guard of the desktop app: only our window's top frame on our own origin may call the engine, and only
 * with a known command and a plain, bounded parameter object. Then the binding itself, with a fake ipcMain and a
 * real Engine: refused calls never reach the engine, accepted ones answer in the WebSocket transport's shapes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, type ServerMessage } from '../../../shared/api/contract';
import { Engine } from '../../../electron/engine/api/engine';
import {
  bindIpc, CALL_CHANNEL, EVENT_CHANNEL, guardCall, originOf, PARAM_LIMITS, paramsProblem, type SenderInfo, type TrustPolicy,
} from '../../../electron/app/ipc';

const policy: TrustPolicy = { webContentsId: 7, origins: ['app://framescope'] };
const ours: SenderInfo = { webContentsId: 7, frameUrl: 'app://framescope/index.html', mainFrame: true };
const call = { id: 1, command: 'session.info', params: {} };

describe('guardCall: the sender', () => {
  it('accepts our window’s top frame on app://framescope', () => {
    expect(guardCall(ours, call, policy)).toEqual({ ok: true, message: call });
    expect(guardCall({ ...ours, frameUrl: 'app://framescope/assets/x.html?a=1#b' }, call, policy).ok).toBe(true);
  });

  it.each<[string, SenderInfo]>([
    ['another webContents', { ...ours, webContentsId: 8 }],
    ['a sub-frame', { ...ours, mainFrame: false }],
    ['a file:// page', { ...ours, frameUrl: 'file:///home/u/evil.html' }],
    ['a web page', { ...ours, frameUrl: 'https://evil.example/' }],
    ['an app:// page of another host', { ...ours, frameUrl: 'app://evil/index.html' }],
    ['a look-alike host', { ...ours, frameUrl: 'app://framescope.evil/index.html' }],
    ['a frame that is gone', { ...ours, frameUrl: undefined }],
    ['an unparsable URL', { ...ours, frameUrl: 'not a url' }],
  ])('refuses %s', (_what, sender) => {
    const r = guardCall(sender, call, policy);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/^untrusted sender/);
      expect(r.id).toBe(1);
    }
  });

  it('trusts nothing while there is no window', () => {
    expect(guardCall(ours, call, { ...policy, webContentsId: undefined }).ok).toBe(false);
  });

  it('trusts the dev server only when the policy lists it', () => {
    const dev = { ...ours, frameUrl: 'http://localhost:5173/' };
    expect(guardCall(dev, call, policy).ok).toBe(false);
    expect(guardCall(dev, call, { ...policy, origins: ['app://framescope', 'http://localhost:5173'] }).ok).toBe(true);
    expect(guardCall({ ...dev, frameUrl: 'http://localhost:5174/' }, call, { ...policy, origins: ['app://framescope', 'http://localhost:5173'] }).ok).toBe(false);
  });

  it('checks the sender before reading the message', () => {
    const r = guardCall({ ...ours, webContentsId: 9 }, { id: 3, command: 'no.such', params: [] }, policy);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^untrusted sender/) });
  });
});

describe('guardCall: the message', () => {
  it('accepts every command of the contract', () => {
    for (const command of COMMAND_NAMES) expect(guardCall(ours, { id: 2, command, params: {} }, policy).ok).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['a non-object', 'session.info', /must be an object/],
    ['null', null, /must be an object/],
    ['an array', [1, 'session.info', {}], /must be an object/],
    ['no id', { command: 'session.info', params: {} }, /integer id/],
    ['a negative id', { id: -4, command: 'session.info', params: {} }, /integer id/],
    ['a fractional id', { id: 1.5, command: 'session.info', params: {} }, /integer id/],
    ['an unknown command', { id: 1, command: 'fs.readFile', params: {} }, /unknown command 'fs.readFile'/],
    ['a prototype key as command', { id: 1, command: 'constructor', params: {} }, /unknown command/],
    ['a non-string command', { id: 1, command: 42, params: {} }, /unknown command '42'/],
    ['missing params', { id: 1, command: 'session.info' }, /plain object/],
    ['params as an array', { id: 1, command: 'session.open', params: ['/etc/passwd'] }, /plain object/],
    ['params as a string', { id: 1, command: 'session.open', params: '/etc/passwd' }, /plain object/],
    ['params holding a typed array', { id: 1, command: 'proxy.add', params: { bytes: new Uint8Array(4) } }, /Uint8Array, not a JSON value/],
    ['params holding a Date', { id: 1, command: 'session.open', params: { path: new Date() } }, /Date/],
    ['params holding a Map', { id: 1, command: 'session.open', params: { path: new Map() } }, /Map/],
    ['params holding NaN', { id: 1, command: 'view.rows', params: { viewId: 1, start: Number.NaN, count: 1 } }, /not finite/],
  ])('refuses %s', (_what, payload, reason) => {
    const r = guardCall(ours, payload, policy);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('accepts nested JSON within the limits', () => {
    const params = { port: 9000, upstream: { host: '127.0.0.1', port: 20180 }, protocol: 'flyer', tags: ['a', null, true, 1.5] };
    expect(guardCall(ours, { id: 5, command: 'proxy.add', params }, policy).ok).toBe(true);
  });
});

describe('paramsProblem: sizes are bounded', () => {
  it('refuses a string past the byte limit and accepts one just under it', () => {
    const limit = PARAM_LIMITS.maxBytes;
    expect(paramsProblem({ filter: 'x'.repeat(limit / 2 + 1) })).toMatch(/larger than/);
    expect(paramsProblem({ filter: 'x'.repeat(limit / 2 - 100) })).toBeUndefined();
  });

  it('refuses too many values and too deep nesting, without walking all of them', () => {
    expect(paramsProblem({ list: new Array(PARAM_LIMITS.maxNodes + 10).fill(0) })).toMatch(/more than 100000 values/);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < PARAM_LIMITS.maxDepth + 5; i++) { const next = {}; deep.n = next; deep = next; }
    expect(paramsProblem(root)).toMatch(/deeper than 32/);
    // A huge array is refused after at most maxNodes steps, so it takes next to no time.
    const huge = { list: new Array(5_000_000).fill(0) };
    const t = performance.now();
    expect(paramsProblem(huge)).toMatch(/values/);
    expect(performance.now() - t).toBeLessThan(50);
  });

  it('accepts objects without a prototype (what structured clone may produce) and refuses class instances', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { path: '/tmp/a.pcapng' });
    expect(paramsProblem(bare)).toBeUndefined();
    class Sneaky { path = '/x'; }
    expect(paramsProblem(new Sneaky())).toMatch(/plain object/);
  });
});

describe('originOf', () => {
  it('builds scheme://host for custom schemes (Node gives "null") and refuses file:', () => {
    expect(originOf('app://framescope/index.html')).toBe('app://framescope');
    expect(originOf('http://localhost:5173/src/main.tsx')).toBe('http://localhost:5173');
    expect(originOf('file:///etc/passwd')).toBeUndefined();
    expect(originOf('about:blank')).toBeUndefined();
    expect(originOf(undefined)).toBeUndefined();
  });
});

describe('bindIpc with a fake ipcMain and a real engine', () => {
  type Handler = (event: unknown, payload: unknown) => Promise<ServerMessage>;
  const handlers = new Map<string, Handler>();
  const sent: Array<{ channel: string; message: unknown }> = [];
  const rejected: string[] = [];
  const engine = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-ipc-')) });
  const calls: string[] = [];
  const counting = {
    call: (command: Parameters<Engine['call']>[0], params: never) => { calls.push(command); return engine.call(command, params); },
    on: engine.on.bind(engine),
  };
  const binding = bindIpc({
    ipcMain: {
      handle: (channel: string, h: Handler) => { handlers.set(channel, h); },
      removeHandler: (channel: string) => { handlers.delete(channel); },
    } as never,
    engine: counting,
    policy: () => policy,
    target: () => ({ isDestroyed: () => false, send: (channel: string, message: unknown) => { sent.push({ channel, message }); } }),
    onRejected: (reason) => rejected.push(reason),
  });
  const event = (sender: SenderInfo) => ({
    sender: { id: sender.webContentsId },
    senderFrame: sender.frameUrl === undefined ? null : { url: sender.frameUrl, parent: sender.mainFrame ? null : {} },
  });
  afterAll(async () => { binding.dispose(); await engine.close(); });

  it('binds one channel and answers a trusted call with the engine’s result', async () => {
    expect([...handlers.keys()]).toEqual([CALL_CHANNEL]);
    const reply = await handlers.get(CALL_CHANNEL)!(event(ours), { id: 11, command: 'protocols.list', params: {} });
    expect(reply).toMatchObject({ id: 11 });
    expect('result' in reply && (reply.result as Array<{ id: string }>).map((p) => p.id)).toContain('flyer');
  });

  it('answers an engine error as {id, error} (as the WebSocket transport does)', async () => {
    const reply = await handlers.get(CALL_CHANNEL)!(event(ours), { id: 12, command: 'session.open', params: { path: '/nonexistent/x.pcapng' } });
    expect(reply).toEqual({ id: 12, error: { message: expect.stringMatching(/no such file/) } });
  });

  it('never lets a refused call reach the engine', async () => {
    calls.length = 0;
    const evil = await handlers.get(CALL_CHANNEL)!(event({ ...ours, frameUrl: 'file:///tmp/evil.html' }), { id: 13, command: 'session.open', params: { path: '/etc/passwd' } });
    const sub = await handlers.get(CALL_CHANNEL)!(event({ ...ours, mainFrame: false }), { id: 14, command: 'session.info', params: {} });
    const bad = await handlers.get(CALL_CHANNEL)!(event(ours), { id: 15, command: 'session.open', params: 'x' });
    expect(evil).toMatchObject({ id: 13, error: { message: expect.stringMatching(/untrusted sender/) } });
    expect(sub).toMatchObject({ id: 14, error: { message: expect.stringMatching(/sub-frame/) } });
    expect(bad).toMatchObject({ id: 15, error: { message: expect.stringMatching(/plain object/) } });
    expect(calls).toEqual([]);
    expect(rejected).toHaveLength(3);
  });

  it('forwards engine events on the event channel as {event, data}', async () => {
    engine.emit('notice', { severity: 'info', message: 'hello' });
    expect(sent).toContainEqual({ channel: EVENT_CHANNEL, message: { event: 'notice', data: { severity: 'info', message: 'hello' } } });
  });

  it('dispose removes the handler and stops the events', () => {
    binding.dispose();
    expect(handlers.size).toBe(0);
    const before = sent.length;
    engine.emit('notice', { severity: 'info', message: 'after' });
    expect(sent.length).toBe(before);
  });
});

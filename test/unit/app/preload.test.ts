/**
 * The preload runs with 'electron' replaced by a fake contextBridge and ipcRenderer: what it exposes to the page
 * is exactly `framescope = { call, on }`, and both forward to IPC in the transport's shapes.
 */
import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { EngineApi } from '../../../shared/api/contract';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../../electron/app/ipc';

const fake = vi.hoisted(() => {
  const exposed: Array<{ name: string; api: unknown }> = [];
  const invoked: Array<{ channel: string; message: unknown }> = [];
  let reply: (message: { id: number; command: string; params: unknown }) => unknown = (m) => ({ id: m.id, result: null });
  return {
    exposed,
    invoked,
    setReply(f: typeof reply) { reply = f; },
    reply: (m: { id: number; command: string; params: unknown }) => reply(m),
    emitter: undefined as unknown as import('node:events').EventEmitter,
  };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const emitter = new Emitter();
  fake.emitter = emitter;
  return {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => { fake.exposed.push({ name, api }); } },
    ipcRenderer: {
      invoke: async (channel: string, message: { id: number; command: string; params: unknown }) => {
        fake.invoked.push({ channel, message });
        return fake.reply(message);
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => { emitter.on(channel, listener); },
      removeListener: (channel: string, listener: (...args: unknown[]) => void) => { emitter.removeListener(channel, listener); },
      send: () => { throw new Error('the preload must not use send'); },
      sendSync: () => { throw new Error('the preload must not use sendSync'); },
    },
  };
});

let api: EngineApi;
beforeAll(async () => {
  await import('../../../electron/app/preload');
  api = fake.exposed[0]!.api as EngineApi;
});

/** What the main process would send: ipcRenderer listeners get (event, message). */
function push(event: string, data: unknown): void {
  (fake.emitter as EventEmitter).emit(EVENT_CHANNEL, { sender: 'IpcRendererEvent (never for the page)' }, { event, data });
}

describe('preload', () => {
  it('exposes one global, framescope, with exactly call and on', () => {
    expect(fake.exposed.map((e) => e.name)).toEqual(['framescope']);
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(Object.getOwnPropertyNames(api).sort()).toEqual(['call', 'on']);
    expect(typeof api.call).toBe('function');
    expect(typeof api.on).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('call forwards {id, command, params} on the call channel and resolves the result', async () => {
    fake.setReply((m) => ({ id: m.id, result: { frames: 3, echo: m.params } }));
    const r = await api.call('session.open', { path: '/tmp/a.pcapng' });
    expect(r).toEqual({ frames: 3, echo: { path: '/tmp/a.pcapng' } });
    const last = fake.invoked.at(-1)!;
    expect(last.channel).toBe(CALL_CHANNEL);
    expect(last.message).toEqual({ id: expect.any(Number), command: 'session.open', params: { path: '/tmp/a.pcapng' } });
  });

  it('gives every call its own id', async () => {
    fake.setReply((m) => ({ id: m.id, result: m.id }));
    const ids = await Promise.all([api.call('session.info', {}), api.call('session.info', {}), api.call('proxy.list', {})]);
    expect(new Set(ids).size).toBe(3);
  });

  it('call rejects with the engine’s error message', async () => {
    fake.setReply((m) => ({ id: m.id, error: { message: 'cannot open /x: no such file' } }));
    await expect(api.call('session.open', { path: '/x' })).rejects.toThrow('cannot open /x: no such file');
  });

  it('refuses a command outside the contract without touching IPC', async () => {
    const before = fake.invoked.length;
    await expect(api.call('fs.readFile' as never, {} as never)).rejects.toThrow(/unknown command 'fs.readFile'/);
    expect(fake.invoked.length).toBe(before);
  });

  it('on delivers the event’s data (never the IPC event) and unsubscribes', () => {
    const got: unknown[] = [];
    const off = api.on('session.changed', (data) => got.push(data));
    push('session.changed', { frames: 5, connections: 1 });
    push('notice', { severity: 'info', message: 'not for this listener' });
    expect(got).toEqual([{ frames: 5, connections: 1 }]);
    expect(typeof off).toBe('function');
    off();
    push('session.changed', { frames: 6, connections: 1 });
    expect(got).toHaveLength(1);
  });

  it('keeps listeners of one event independent, and a throwing listener does not stop the others', () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const offBad = api.on('notice', () => { throw new Error('boom'); });
    const offA = api.on('notice', (d) => a.push(d));
    const offB = api.on('notice', (d) => b.push(d));
    push('notice', { severity: 'warn', message: 'x' });
    offA();
    push('notice', { severity: 'warn', message: 'y' });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    offB(); offBad(); quiet.mockRestore();
  });

  it('refuses unknown events, and ignores malformed pushes', () => {
    expect(() => api.on('ipc.raw' as never, () => undefined)).toThrow(/unknown event/);
    const got: unknown[] = [];
    const off = api.on('notice', (d) => got.push(d));
    (fake.emitter as EventEmitter).emit(EVENT_CHANNEL, {}, null);
    (fake.emitter as EventEmitter).emit(EVENT_CHANNEL, {}, { event: 'constructor', data: 1 });
    expect(got).toEqual([]);
    off();
  });
});

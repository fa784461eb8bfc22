/**
 * The preload: exposes exactly the contract's EngineApi as `window.framescope` — `call(command, params)` and
 * `on(event, listener)` returning an unsubscribe function — and nothing else. The page never sees ipcRenderer, an
 * IPC event object or a channel name. Runs sandboxed (bundled to CommonJS by scripts/build-app.mjs).
 */
import { contextBridge, ipcRenderer, type IpcRenderer } from 'electron';
import {
  isCommandName, EVENT_NAMES, type CommandName, type EngineApi, type EventName, type Events, type Params, type Result,
  type ServerMessage,
} from '../../shared/api/contract';
import { BRIDGE_NAME, CALL_CHANNEL, EVENT_CHANNEL } from './ipc';

type Listener = (data: unknown) => void;

function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** The object behind `window.framescope`, over any ipcRenderer-shaped object (a fake one in the tests). */
export function createBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on'>): EngineApi {
  let nextId = 1;
  const listeners = new Map<EventName, Set<Listener>>();

  // One subscription for all events; the IpcRendererEvent (which holds `sender`) never reaches the page.
  ipc.on(EVENT_CHANNEL, (_event, message: unknown) => {
    const m = message as { event?: unknown; data?: unknown } | null;
    if (!m || !isEventName(m.event)) return;
    for (const listener of [...(listeners.get(m.event) ?? [])]) {
      try {
        listener(m.data);
      } catch (e) {
        // One broken listener must not starve the others of events.
        console.error(`framescope: a '${m.event}' listener threw`, e);
      }
    }
  });

  async function call<C extends CommandName>(command: C, params: Params<C>): Promise<Result<C>> {
    if (!isCommandName(command)) throw new Error(`unknown command '${String(command)}'`);
    const id = nextId++;
    const reply = (await ipc.invoke(CALL_CHANNEL, { id, command, params })) as ServerMessage;
    if ('error' in reply) throw new Error(reply.error.message);
    if ('result' in reply) return reply.result as Result<C>;
    throw new Error(`${command}: malformed reply`);
  }

  function on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
    if (!isEventName(event)) throw new Error(`unknown event '${String(event)}'`);
    if (typeof listener !== 'function') throw new Error('on(event, listener): listener must be a function');
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    const l = listener as Listener;
    set.add(l);
    return () => { set.delete(l); };
  }

  return Object.freeze({ call, on });
}

contextBridge.exposeInMainWorld(BRIDGE_NAME, createBridge(ipcRenderer));

/**
 * The Electron IPC transport of shared/api/contract.ts. One invoke channel carries every command and one channel
 * carries the batched events, in the WebSocket transport's shapes: a ClientMessage `{id, command, params}` in,
 * `{id, result}` or `{id, error}` back, `{event, data}` pushed. Channel names appear nowhere else (the preload
 * imports them from here).
 *
 * Every call passes `guardCall`, a pure function of what the main process knows about the sender, so it is tested
 * without Electron: the sender must be our window's top frame showing one of our origins, and the message must be a
 * known command with a plain, bounded parameter object. This file imports only types from 'electron' (the main
 * process hands in `ipcMain`), which keeps the guard loadable in plain Node.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { isCommandName, type ClientMessage, type EventName, type ServerMessage } from '../../shared/api/contract';

/** renderer → main: one ClientMessage per call (ipcRenderer.invoke). */
export const CALL_CHANNEL = 'framescope:call';
/** main → renderer: `{ event, data }` for every engine event. */
export const EVENT_CHANNEL = 'framescope:event';
/** The global the preload exposes in the page (`window.framescope`). */
export const BRIDGE_NAME = 'framescope';

/**
 * Bounds on one call's parameters. The bytes limit matches the WebSocket transport's maxPayload, so both transports
 * accept the same calls; depth and node counts stop a hostile page from making the main process walk forever.
 */
export const PARAM_LIMITS = { maxBytes: 16 * 1024 * 1024, maxDepth: 32, maxNodes: 100_000 } as const;

/** What the main process knows about whoever sent a message. */
export interface SenderInfo {
  /** `event.sender.id`: the webContents the message came from. */
  webContentsId: number;
  /** `event.senderFrame.url`; undefined when the frame has navigated away or is gone. */
  frameUrl: string | undefined;
  /** The sending frame is its page's top frame (our pages have no iframes that may talk to the engine). */
  mainFrame: boolean;
}

export interface TrustPolicy {
  /** Our window's webContents id; undefined while there is no window (then nothing is trusted). */
  webContentsId: number | undefined;
  /** Origins our own pages load from: `app://framescope`, plus the Vite dev server's in development. */
  origins: readonly string[];
}

export type GuardResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; id: number; reason: string };

/**
 * The origin of a URL as `scheme://host[:port]`. Node's URL gives `null` as the origin of non-special schemes such
 * as `app:`, so it is put together by hand; `file:` URLs have no host and never match a trusted origin.
 */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol === 'file:' || !parsed.host) return undefined;
  return `${parsed.protocol}//${parsed.host}`;
}

/** Whether a sender is our window's top frame showing one of our pages. */
export function senderProblem(sender: SenderInfo, policy: TrustPolicy): string | undefined {
  if (policy.webContentsId === undefined || sender.webContentsId !== policy.webContentsId) {
    return 'untrusted sender: not the Framescope window';
  }
  if (!sender.mainFrame) return 'untrusted sender: a sub-frame';
  const origin = originOf(sender.frameUrl);
  if (!origin || !policy.origins.includes(origin)) {
    return `untrusted sender: page ${sender.frameUrl ?? '(gone)'} is not Framescope's`;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that `params` is a plain object of JSON values (what the WebSocket transport can carry) within the
 * limits, walking iteratively and stopping at the first excess. Structured clone lets typed arrays, Maps, Dates
 * and the like through IPC; the engine's commands take none of them, so they are refused here.
 */
export function paramsProblem(params: unknown, limits: typeof PARAM_LIMITS = PARAM_LIMITS): string | undefined {
  if (!isPlainObject(params)) return 'params must be a plain object';
  const tooMany = `params too large: more than ${limits.maxNodes} values`;
  let bytes = 0;
  let nodes = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: params, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++nodes > limits.maxNodes) return tooMany;
    if (depth > limits.maxDepth) return `params nested deeper than ${limits.maxDepth} levels`;
    if (value === null || typeof value === 'boolean') {
      bytes += 4;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'params hold a number that is not finite';
      bytes += 8;
    } else if (typeof value === 'string') {
      bytes += value.length * 2;
    } else if (Array.isArray(value)) {
      bytes += 2;
      // Counted before pushing, so a huge array is refused without walking it.
      if (nodes + stack.length + value.length > limits.maxNodes) return tooMany;
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
    } else if (isPlainObject(value)) {
      bytes += 2;
      const keys = Object.keys(value);
      if (nodes + stack.length + keys.length > limits.maxNodes) return tooMany;
      for (const [key, item] of Object.entries(value)) {
        bytes += key.length * 2;
        stack.push({ value: item, depth: depth + 1 });
      }
    } else {
      return `params hold a ${Object.prototype.toString.call(value).slice(8, -1)}, not a JSON value`;
    }
    if (bytes > limits.maxBytes) return `params larger than ${limits.maxBytes} bytes`;
  }
  return undefined;
}

/** The whole check of one incoming call: sender first (an untrusted page learns nothing more), then the message. */
export function guardCall(sender: SenderInfo, payload: unknown, policy: TrustPolicy): GuardResult {
  const id = isPlainObject(payload) && Number.isSafeInteger(payload.id) && (payload.id as number) >= 0 ? (payload.id as number) : -1;
  const untrusted = senderProblem(sender, policy);
  if (untrusted) return { ok: false, id, reason: untrusted };
  if (!isPlainObject(payload)) return { ok: false, id, reason: 'a call must be an object {id, command, params}' };
  if (id < 0) return { ok: false, id, reason: 'a call needs a non-negative integer id' };
  if (!isCommandName(payload.command)) {
    return { ok: false, id, reason: `unknown command '${String(payload.command).slice(0, 100)}'` };
  }
  const bad = paramsProblem(payload.params);
  if (bad) return { ok: false, id, reason: `${payload.command}: ${bad}` };
  return { ok: true, message: { id, command: payload.command, params: payload.params } };
}

/** What the transport needs of the engine (the Engine class, or a fake in tests). */
export interface EngineLike {
  call(command: ClientMessage['command'], params: never): Promise<unknown>;
  on(listener: (event: EventName, data: unknown) => void): () => void;
}

export interface IpcBinding {
  dispose(): void;
}

export interface BindIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  engine: EngineLike;
  /** Asked on every call, so a re-created window (macOS) or a dev-server origin is current. */
  policy(): TrustPolicy;
  /** Where events go: our window's webContents, when there is one. */
  target(): Pick<WebContents, 'send' | 'isDestroyed'> | undefined;
  /** Rejected calls, for the log (a page of ours never sends one, so each is worth a line). */
  onRejected?(reason: string, sender: SenderInfo): void;
}

/** The SenderInfo of an invoke event (the only place that reads Electron's event object). */
export function senderInfo(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): SenderInfo {
  const frame = event.senderFrame;
  return { webContentsId: event.sender.id, frameUrl: frame?.url, mainFrame: frame !== null && frame.parent === null };
}

export function bindIpc(opts: BindIpcOptions): IpcBinding {
  opts.ipcMain.handle(CALL_CHANNEL, async (event, payload: unknown): Promise<ServerMessage> => {
    const sender = senderInfo(event);
    const checked = guardCall(sender, payload, opts.policy());
    if (!checked.ok) {
      opts.onRejected?.(checked.reason, sender);
      return { id: checked.id, error: { message: checked.reason } };
    }
    const { id, command, params } = checked.message;
    try {
      return { id, result: await opts.engine.call(command, params as never) };
    } catch (e) {
      return { id, error: { message: e instanceof Error ? e.message : String(e) } };
    }
  });
  const off = opts.engine.on((event, data) => {
    const target = opts.target();
    if (target && !target.isDestroyed()) target.send(EVENT_CHANNEL, { event, data } satisfies ServerMessage);
  });
  return {
    dispose() {
      off();
      opts.ipcMain.removeHandler(CALL_CHANNEL);
    },
  };
}

/**
 * Every command and event between the engine and a UI, in one place (after GitHub Desktop). Two transports bind it:
 * Electron IPC (electron/app/ipc.ts) and WebSocket (electron/engine/api/ws-server.ts); channel names appear nowhere
 * else. The runtime name lists let transports validate what they receive.
 */
import type { CatalogEntry } from '../codec/schema';
import type {
  CaptureInterface, CaptureStatus, ConnectionSummary, FrameDetail, FrameRow, MessageStats, ProxyListenerInfo,
  ProxyListenerSpec, SessionInfo,
} from '../model/session';

export interface FilterError {
  message: string;
  /** 0-based column in the filter text. */
  column: number;
  length: number;
}

export interface Completion {
  from: number;
  to: number;
  items: { label: string; detail?: string; kind: 'field' | 'operator' | 'value' | 'keyword' }[];
}

export interface ViewResult {
  viewId: number;
  /** Frames matching the filter. */
  count: number;
  total: number;
}

export interface ProtocolSummary {
  id: string;
  name: string;
  ports: number[];
  messages: { name: string; direction: string }[];
}

/** Commands: name → [parameters, result]. */
export interface Commands {
  'session.info': [Record<string, never>, SessionInfo];
  'session.clear': [Record<string, never>, SessionInfo];
  'session.open': [{ path: string }, SessionInfo];
  'session.save': [{ path: string }, { path: string; frames: number }];
  'protocols.list': [Record<string, never>, ProtocolSummary[]];
  'fields.catalog': [Record<string, never>, readonly CatalogEntry[]];
  'filter.check': [{ filter: string }, { ok: true } | { ok: false; error: FilterError }];
  'filter.suggest': [{ filter: string; cursor: number }, Completion];
  /** Builds a view over the session's frames; an invalid filter answers with its error, not a view. */
  'view.create': [{ filter: string }, ViewResult | { error: FilterError }];
  /** Rows of a view by range (the list holds only what is on screen). */
  'view.rows': [{ viewId: number; start: number; count: number }, FrameRow[]];
  /** Extends a view over frames that arrived since (what the UI asks on `session.changed`): new count and total. */
  'view.update': [{ viewId: number }, ViewResult];
  'view.release': [{ viewId: number }, null];
  'frame.detail': [{ number: number }, FrameDetail];
  'connections.list': [Record<string, never>, ConnectionSummary[]];
  'connection.frames': [{ connection: number }, FrameRow[]];
  'stats.messages': [Record<string, never>, MessageStats[]];
  'capture.interfaces': [Record<string, never>, CaptureInterface[]];
  'capture.start': [{ interface: string; bpf?: string; bufferSize?: number }, CaptureStatus];
  'capture.stop': [Record<string, never>, CaptureStatus];
  'proxy.add': [ProxyListenerSpec, ProxyListenerInfo];
  'proxy.remove': [{ id: string }, null];
  'proxy.list': [Record<string, never>, ProxyListenerInfo[]];
  'decodeAs.set': [{ port: number; protocol: string; variant?: string }, null];
  'demo.start': [{ protocol?: string }, { listeners: ProxyListenerInfo[] }];
  'demo.stop': [Record<string, never>, null];
}

/** Events from the engine, batched (about 20 per second), never one per packet. */
export interface Events {
  /** The session grew (or was cleared): new totals. */
  'session.changed': { frames: number; connections: number };
  'capture.status': CaptureStatus;
  'proxy.status': ProxyListenerInfo[];
  'connections.changed': { connections: ConnectionSummary[] };
  /** Progress of opening a large file. */
  'session.progress': { path: string; done: number; total: number };
  /** Something the user should see: a dead upstream, a capture permission problem, a crash-recovered spool. */
  notice: { severity: 'error' | 'warn' | 'info'; message: string };
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;
export type Params<C extends CommandName> = Commands[C][0];
export type Result<C extends CommandName> = Commands[C][1];

export const COMMAND_NAMES = [
  'session.info', 'session.clear', 'session.open', 'session.save', 'protocols.list', 'fields.catalog',
  'filter.check', 'filter.suggest', 'view.create', 'view.rows', 'view.update', 'view.release', 'frame.detail',
  'connections.list', 'connection.frames', 'stats.messages', 'capture.interfaces', 'capture.start',
  'capture.stop', 'proxy.add', 'proxy.remove', 'proxy.list', 'decodeAs.set', 'demo.start', 'demo.stop',
] as const satisfies readonly CommandName[];

export const EVENT_NAMES = [
  'session.changed', 'session.progress', 'capture.status', 'proxy.status', 'connections.changed', 'notice',
] as const satisfies readonly EventName[];

// Compile-time check that the runtime lists name every command and event exactly.
type Missing<A extends string, B extends string> = Exclude<A, B>;
const commandsComplete: Missing<CommandName, (typeof COMMAND_NAMES)[number]> extends never ? true : false = true;
const eventsComplete: Missing<EventName, (typeof EVENT_NAMES)[number]> extends never ? true : false = true;
void commandsComplete;
void eventsComplete;

/** What both transports implement on the UI side. */
export interface EngineApi {
  call<C extends CommandName>(command: C, params: Params<C>): Promise<Result<C>>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void;
}

/** Wire frames of the WebSocket transport (Electron IPC carries the same shapes). */
export type ClientMessage = { id: number; command: CommandName; params: unknown };
export type ServerMessage =
  | { id: number; result: unknown }
  | { id: number; error: { message: string } }
  | { event: EventName; data: unknown };

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

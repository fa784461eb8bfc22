/**
 * Every command and event between the engine and a UI, in one place (after GitHub Desktop). Two transports bind it:
 * Electron IPC (electron/app/ipc.ts) and WebSocket (electron/engine/api/ws-server.ts); channel names appear nowhere
 * else. The runtime name lists let transports validate what they receive.
 */
import type { Direction } from '../codec/protocol';
import type { CatalogEntry } from '../codec/schema';
import type {
  CaptureInterface, CaptureStatus, ConnectionSummary, Endpoint, FrameDetail, FrameRow, MessageStats, ProxyListenerInfo,
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
  /** Decode As variants (hodor generations, txlcn's JSON form); the first one is what detection picks, where it does. */
  variants?: { id: string; label: string }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Craft, intercept, mock responders and chaos (electron/engine/craft/README.md has the file formats and semantics)

/** A message document, as `framescope decode --json` prints a frame (only `message` and `value` are required). */
export interface CraftDocument {
  /** Default: the protocol of the connection it is sent on. */
  protocol?: string;
  message: string;
  /** Default: the direction it is sent in. */
  direction?: Direction;
  /** The message document; derived fields (lengths, counts) are filled in unless given (to send broken frames). */
  value: Record<string, unknown>;
  variant?: string;
  charset?: 'utf-8' | 'gbk';
}

/** Raw bytes, sent exactly as given (spaces and colons allowed). */
export interface CraftRaw {
  hex: string;
}

/** What to send: a document the engine encodes, or raw bytes. */
export type CraftPayload = CraftDocument | CraftRaw;

/**
 * How a frame came to be, when Framescope had a hand in it. Shown on the row; the detail gets it as a note too.
 * `injected`: written by Framescope into a proxied connection. `modified`: edited in the intercept queue, then
 * forwarded (the frame holds the forwarded bytes, `original` the bytes the peer sent). `dropped`: held, then not
 * forwarded. `answered`: a request a mock rule on a proxy listener answered instead of the server (not forwarded).
 * `mock`: a reply written by a mock rule.
 */
export interface FrameMark {
  kind: 'injected' | 'modified' | 'dropped' | 'answered' | 'mock';
  note: string;
  /** `modified`: the bytes as received, lowercase hex. */
  original?: string;
  /** False when the bytes never reached the peer (dropped, answered). */
  forwarded: boolean;
}

export type MarkedFrameRow = FrameRow & { mark?: FrameMark };
export type MarkedFrameDetail = FrameDetail & { row: MarkedFrameRow; mark?: FrameMark };

export interface CraftConnectSpec {
  host: string;
  port: number;
  /** Protocol id (used to encode documents, cut and pair replies), or `auto` (raw hex only until detected). */
  protocol: string;
  variant?: string;
}

/** A client session: a TCP connection of ours that stays open; its frames are in the session (source `craft`). */
export interface CraftSessionInfo {
  id: string;
  /** The session's connection id (`tcp.stream`), once connected. */
  connection: number;
  host: string;
  port: number;
  protocol: string;
  state: 'connecting' | 'open' | 'closed' | 'failed';
  error?: string;
  /** PDUs sent and received. */
  sent: number;
  received: number;
}

export interface SendResult {
  /** The bytes written (or queued), lowercase hex. */
  hex: string;
  length: number;
  /** Frame numbers the bytes became in the session (usually one). Empty while an injection waits for a boundary. */
  frames: number[];
  /** An injection that waits for the stream to reach a frame boundary (it is written as soon as it does). */
  queued?: boolean;
}

/** Where a sequence sends: an open client session, a new one, or into a proxied connection (inject). */
export type SequenceTarget =
  | { session: string }
  | { connect: Endpoint }
  | { connection: number; direction: Direction };

/** One step of a sequence: a message document or raw hex, with its own delay and reply handling. */
export interface SequenceStep {
  /** A name later steps use in `{{reply.<name>…}}`; steps are also known by their 0-based index. */
  name?: string;
  message?: string;
  value?: Record<string, unknown>;
  direction?: Direction;
  hex?: string;
  /** Pause before this step (ms); default the sequence's `delayMs`. */
  delayMs?: number;
  /** Wait for the paired reply (by the protocol's pairing keys) before the next step. */
  waitReply?: boolean;
  /** Wait for the next received frame with this message name (or one of these) instead of the paired reply. */
  expect?: string | string[];
}

/** A sequence file (`.fsseq.json`): see electron/engine/craft/README.md. */
export interface SequenceFile {
  format?: 'framescope-sequence';
  version?: 1;
  name?: string;
  protocol: string;
  variant?: string;
  /** Times the whole list runs (default 1). */
  repeat?: number;
  /** Default pause before each step (ms, default 0). */
  delayMs?: number;
  /** How long a step waits for its reply (ms, default 5000). */
  replyTimeoutMs?: number;
  steps: SequenceStep[];
}

export interface SequenceRunInfo {
  runId: string;
  name?: string;
  state: 'running' | 'done' | 'failed' | 'stopped';
  /** 0-based repetition and step being run (or last run). */
  iteration: number;
  step: number;
  steps: number;
  repeat: number;
  sent: number;
  replies: number;
  error?: string;
  /** The client session the run uses (a new one for `connect` targets). */
  session?: string;
  /** Frame numbers of what the run sent, in order (the last 1000). */
  frames: number[];
}

/** Frames matching `filter` in `direction` are held until forwarded or dropped (or the hold timeout). */
export interface InterceptRule {
  filter: string;
  direction: Direction | 'both';
  /** Default true. */
  enabled?: boolean;
}

export interface InterceptSettings {
  listenerId: string;
  rules: InterceptRule[];
  /** A held frame is released after this many seconds (0 = never). Default 60. */
  holdTimeoutSeconds: number;
  /** What the timeout does. Default `forward`. */
  timeoutAction: 'forward' | 'drop';
}

/** A frame in the intercept queue. */
export interface HeldFrame {
  id: number;
  listenerId: string;
  /** Session connection id. */
  connection: number;
  direction: Direction;
  protocol: string;
  message: string;
  summary: string;
  /** The held bytes, lowercase hex. */
  hex: string;
  /** The decoded document (what the composer edits). */
  value?: Record<string, unknown>;
  /** ISO times. */
  heldAt: string;
  timeoutAt?: string;
  state: 'held' | 'forwarded' | 'modified' | 'dropped' | 'lost';
}

/** A reply of a mock rule: a document whose strings may hold `{{request.…}}` and other variables, or raw hex. */
export type MockReply = CraftPayload & { delayMs?: number };

export interface MockRule {
  name?: string;
  /** Display filter over the request (`flyer.protocol == ShakeHand`). */
  match: string;
  /** Replies written in order; none (an empty list) swallows the request. */
  reply: MockReply | MockReply[];
  /** Close the connection after replying. */
  close?: boolean;
}

/** A mock responder: its own listener with no upstream, or rules on a proxy listener (answered requests are not forwarded). */
export interface MockSpec {
  name?: string;
  /** A listener with no upstream. */
  listen?: { host?: string; port: number };
  /** Or: answer on a proxy listener, before the server sees the request. */
  listenerId?: string;
  /** Required with `listen`; a proxy listener's own otherwise. */
  protocol?: string;
  variant?: string;
  rules: MockRule[];
}

export interface MockInfo {
  id: string;
  name?: string;
  protocol: string;
  listen?: Endpoint;
  listenerId?: string;
  rules: MockRule[];
  state: 'listening' | 'stopped' | 'error';
  connections: number;
  answered: number;
  unanswered: number;
}

export interface UnansweredRequest {
  mockId: string;
  connection: number;
  /** Frame number in the session. */
  frame?: number;
  message: string;
  summary: string;
}

/**
 * Re-segmenting a proxied stream (粘包/拆包 tests): each frame is written in pieces of `splitBytes`, `coalesce`
 * frames go out as one write, `delayMs` separates consecutive writes. Bytes are never lost or reordered.
 */
export interface ChaosSettings {
  direction: Direction | 'both';
  splitBytes?: number;
  coalesce?: number;
  delayMs?: number;
  /** How long coalescing waits for more frames before writing what it has (ms, default 50). */
  coalesceWaitMs?: number;
}

/** A live session's spool left behind by an engine that did not exit cleanly (a crash, a kill, a power cut). */
export interface RecoverableSession {
  /** What recovery.open / recovery.discard take. */
  id: string;
  /** The spool file (pcapng). */
  path: string;
  size: number;
  startedAt: string;
  modifiedAt: string;
  /** The process that wrote it. */
  pid: number;
}

/** One message of a TX-LCN transaction group. */
export interface TxlcnGroupMessage {
  number: number;
  /** Seconds since the session started. */
  time: number;
  connection: number;
  direction: Direction;
  /** `txlcn.action` (cg, atg, clg, nt, rok, rex …). */
  action: string;
  message: string;
  /** On replies: the paired request's action. */
  request?: string;
  unitId?: string;
  /** What it says about the transaction: `commit group`, `join (lcn)`, `ok`, `error` … */
  state?: string;
}

/** The frames of one `txlcn.groupId` across connections, in time order. */
export interface TxlcnGroup {
  groupId: string;
  first: number;
  last: number;
  connections: number[];
  messages: TxlcnGroupMessage[];
  /** The last notify-group decision, `error` when anything answered `rex`, else `open`. */
  outcome: 'commit' | 'rollback' | 'error' | 'open';
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
  'view.rows': [{ viewId: number; start: number; count: number }, MarkedFrameRow[]];
  /** Extends a view over frames that arrived since (what the UI asks on `session.changed`): new count and total. */
  'view.update': [{ viewId: number }, ViewResult];
  'view.release': [{ viewId: number }, null];
  'frame.detail': [{ number: number }, MarkedFrameDetail];
  'connections.list': [Record<string, never>, ConnectionSummary[]];
  'connection.frames': [{ connection: number }, MarkedFrameRow[]];
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
  /** Opens a client session; resolves once connected (rejects with the reason when the connection fails). */
  'craft.connect': [CraftConnectSpec, CraftSessionInfo];
  'craft.send': [{ id: string; payload: CraftPayload }, SendResult];
  'craft.close': [{ id: string }, null];
  'craft.list': [Record<string, never>, CraftSessionInfo[]];
  /**
   * Writes into a live connection: a proxied one towards the server (`c2s`) or the client (`s2c`), a client
   * session (`c2s`), a mock responder's (`s2c`). Injected bytes enter the stream at a frame boundary, in order.
   */
  'craft.inject': [{ connection: number; direction: Direction; payload: CraftPayload }, SendResult];
  'sequence.run': [{ sequence: SequenceFile; target: SequenceTarget }, SequenceRunInfo];
  'sequence.stop': [{ runId: string }, SequenceRunInfo];
  'sequence.list': [Record<string, never>, SequenceRunInfo[]];
  /** Replaces a proxy listener's intercept rules (an empty list turns intercept off; held frames stay held). */
  'intercept.setRules': [{ listenerId: string; rules: InterceptRule[]; holdTimeoutSeconds?: number; timeoutAction?: 'forward' | 'drop' }, InterceptSettings];
  'intercept.getRules': [{ listenerId: string }, InterceptSettings];
  'intercept.list': [{ listenerId?: string }, HeldFrame[]];
  /** Forwards a held frame, as it was or replaced by `edit` (re-encoded document or raw hex). */
  'intercept.forward': [{ id: number; edit?: CraftPayload }, HeldFrame];
  'intercept.drop': [{ id: number }, HeldFrame];
  'intercept.releaseAll': [{ listenerId?: string; action?: 'forward' | 'drop' }, { released: number }];
  'mock.add': [MockSpec, MockInfo];
  'mock.remove': [{ id: string }, null];
  'mock.list': [Record<string, never>, MockInfo[]];
  /** Sets (or with null clears) a proxy listener's chaos; applies to its open connections at once. */
  'chaos.set': [{ listenerId: string; chaos: ChaosSettings | null }, ChaosSettings | null];
  'chaos.get': [{ listenerId: string }, ChaosSettings | null];
  /** Spools of earlier runs that did not exit cleanly (newest first). */
  'recovery.list': [Record<string, never>, RecoverableSession[]];
  /** Opens a recoverable spool as the session (the file moves into this run's folder; the user saves it elsewhere). */
  'recovery.open': [{ id: string }, SessionInfo];
  'recovery.discard': [{ id: string }, null];
  /** TX-LCN transaction groups of the session: every message of each `groupId`, across connections. */
  'txlcn.groups': [{ limit?: number }, TxlcnGroup[]];
}

/** Events from the engine, batched (about 20 per second), never one per packet. */
export interface Events {
  /** The session grew (or was cleared): new totals. */
  /** `file`: the file the session was opened from or last saved to (absent for a live session never saved). */
  'session.changed': { frames: number; unsaved: number; connections: number; file?: string };
  'capture.status': CaptureStatus;
  'proxy.status': ProxyListenerInfo[];
  'connections.changed': { connections: ConnectionSummary[] };
  /** Progress of opening or saving a large file (bytes). */
  'session.progress': { path: string; done: number; total: number; operation?: 'open' | 'save' };
  /** Something the user should see: a dead upstream, a capture permission problem, a crash-recovered spool. */
  notice: { severity: 'error' | 'warn' | 'info'; message: string };
  /** The intercept queue changed: every frame still held (batched). */
  'intercept.changed': { held: HeldFrame[] };
  /** Requests a mock responder had no rule for (batched). */
  'mock.unanswered': { requests: UnansweredRequest[] };
  'mock.status': MockInfo[];
  /** Client sessions opened, closed or failed. */
  'craft.status': CraftSessionInfo[];
  /** Sequence runs that progressed since the last event (batched; the latest state of each). */
  'sequence.progress': { runs: SequenceRunInfo[] };
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
  'craft.connect', 'craft.send', 'craft.close', 'craft.list', 'craft.inject', 'sequence.run', 'sequence.stop',
  'sequence.list', 'intercept.setRules', 'intercept.getRules', 'intercept.list', 'intercept.forward', 'intercept.drop',
  'intercept.releaseAll', 'mock.add', 'mock.remove', 'mock.list', 'chaos.set', 'chaos.get',
  'recovery.list', 'recovery.open', 'recovery.discard', 'txlcn.groups',
] as const satisfies readonly CommandName[];

export const EVENT_NAMES = [
  'session.changed', 'session.progress', 'capture.status', 'proxy.status', 'connections.changed', 'notice',
  'intercept.changed', 'mock.unanswered', 'mock.status', 'craft.status', 'sequence.progress',
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

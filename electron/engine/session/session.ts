/**
 * A session: everything recorded from proxies, captures, files and crafted connections. Byte streams come in per
 * connection and direction; they are cut into PDUs with the connection's protocol (Decode As, then the port table,
 * then the first-bytes heuristics), indexed compactly, paired, and counted. Trees are decoded on demand.
 */
import { toHex } from '../../../shared/codec/bytes';
import { classifyPdu } from '../../../shared/codec/extract';
import { StreamDeframer, type DeframedPdu } from '../../../shared/codec/framing';
import { responseContext, type Direction, type FramerExchange, type PairingKey, type Peek, type Protocol } from '../../../shared/codec/protocol';
import type { ConnectionSource, ConnectionSummary, Endpoint, FrameDetail, FrameRow, MessageStats } from '../../../shared/model/session';
import { detectProtocol, getProtocol, PROTOCOLS, protocolForPort } from '../../../shared/protocols/index';
import { FrameIndex } from './frame-index';
import { PduStore } from './pdu-store';
import { WaitingRequests } from './waiting-requests';

/** Protocol number 0 in the index: bytes of a connection whose protocol is not known. */
const RAW = 0;
const RAW_NAME = 'tcp';
/** First bytes kept per direction while a connection's protocol is still being detected. */
const DETECT_LIMIT = 4096;
const DIRS: readonly Direction[] = ['c2s', 's2c'];
const NO_OPTIONS: { variant?: string } = Object.freeze({});
const NO_PAIR: PairingKey = { role: 'none' };
/** Requests waiting for their response, per connection and direction; older ones are given up past this. */
export const MAX_WAITING = 4096;
const MAX_WAITING_CONTEXTS = 65536;

export interface OpenConnection {
  source: ConnectionSource;
  client: Endpoint;
  server: Endpoint;
  /** A protocol id, or `auto`. */
  protocol?: string;
  variant?: string;
  listenerId?: string;
  /** ns since the epoch; defaults to now. */
  time?: bigint;
}

export type ConnectionEventKind = 'upstream-connected' | 'half-close' | 'reset' | 'failed' | 'closed' | 'error';

interface Conn {
  summary: ConnectionSummary;
  protocol?: Protocol;
  protocolNumber: number;
  variant?: string;
  /** What classify gets: the variant, if any (one object per connection, not per PDU). */
  options: { variant?: string };
  deframers?: Record<Direction, StreamDeframer>;
  /** What the two deframers' framers tell each other (a response's framing can depend on its request). */
  exchange: FramerExchange;
  /** First bytes per direction while detecting. */
  pending?: Record<Direction, { chunks: Uint8Array[]; times: number[]; size: number }>;
  /** Pending requests per direction they were sent in: pairing key (or `fifo:` lane) → frame indices, FIFO. */
  waiting: Record<Direction, WaitingRequests>;
  /** Message name → its number in the index and its statistics (one lookup per frame, no key string built). */
  messages: Map<string, MessageEntry>;
}

interface MessageEntry {
  number: number;
  stats: { protocol: string; message: string; count: number; bytes: number; rt: number[] };
}

export interface SessionOptions {
  /** Where the PDU bytes are kept; in memory when absent. */
  pduStorePath?: string;
  maxPdu?: number;
  /** Called (batched by the caller) when frames or connections change. */
  onChange?: () => void;
  /** Called for every frame as it is recorded (the CLI's line printer). */
  onFrame?: (frame: number) => void;
  /**
   * false: PDU bytes are not copied into the store; a frame's bytes can be read only during its onFrame call (they
   * are a view of what the session was given). For a caller that handles every frame in onFrame and never looks
   * back (`framescope read`): the copy and the read-back were a good part of the time per frame.
   */
  keepBytes?: boolean;
}

export class Session {
  readonly index = new FrameIndex();
  readonly startedAt = new Date();
  private readonly epochNs = BigInt(Date.now()) * 1_000_000n;
  private store: PduStore;
  private conns = new Map<number, Conn>();
  private nextConnection = 1;
  private messageNames: string[] = [''];
  private messageIds = new Map<string, number>();
  private stats = new Map<string, { protocol: string; message: string; count: number; bytes: number; rt: number[] }>();
  /** Decode As: server port → protocol id (and variant). */
  private decodeAs = new Map<number, { protocol: string; variant?: string }>();
  private firstTime: number | undefined;
  /** The frame whose onFrame call is running when bytes are not kept, and its bytes. */
  private transientFrame = -1;
  private transientBytes: Uint8Array | undefined;
  /**
   * When bytes are not kept: Protocol.requestContext of requests not answered yet, by frame, taken while their
   * bytes were at hand, for their responses' onFrame. At most MAX_WAITING_CONTEXTS (the oldest go first).
   */
  private readonly waitingContexts = new Map<number, Record<string, unknown>>();

  constructor(private readonly opts: SessionOptions = {}) {
    this.store = new PduStore(opts.pduStorePath);
  }

  get frameCount(): number { return this.index.count; }

  /** The PDU store waits for the disk: a producer that can wait (a proxy) should, until whenStoreCaughtUp. */
  get storeBehind(): boolean { return this.store.behind; }

  /** Calls `fn` once the PDU store has caught up with the disk (at once if it is not behind). */
  whenStoreCaughtUp(fn: () => void): void {
    this.store.whenCaughtUp(fn);
  }
  get connectionCount(): number { return this.conns.size; }

  setDecodeAs(port: number, protocol: string, variant?: string): void {
    this.decodeAs.set(port, { protocol, variant });
  }

  hasDecodeAs(port: number): boolean {
    return this.decodeAs.has(port);
  }

  decodeAsPorts(): number[] {
    return [...this.decodeAs.keys()];
  }

  /** ns since the session started, for a wall-clock time in ns since the epoch. */
  relative(time?: bigint): number {
    return Number((time ?? BigInt(Date.now()) * 1_000_000n) - this.epochNs);
  }

  openConnection(o: OpenConnection): number {
    const id = this.nextConnection++;
    const summary: ConnectionSummary = {
      id, source: o.source, client: o.client, server: o.server, state: 'open', openedAt: this.relative(o.time),
      frames: 0, bytes: { c2s: 0, s2c: 0 }, ...(o.listenerId ? { listenerId: o.listenerId } : {}),
    };
    if (o.source === 'proxy') summary.state = 'connecting';
    const conn: Conn = { summary, protocolNumber: RAW, options: NO_OPTIONS, exchange: { pending: [] }, waiting: { c2s: new WaitingRequests(), s2c: new WaitingRequests() }, messages: new Map() };
    this.conns.set(id, conn);
    const chosen = this.chooseProtocol(o);
    if (chosen) this.bind(conn, chosen.protocol, chosen.variant);
    else conn.pending = { c2s: { chunks: [], times: [], size: 0 }, s2c: { chunks: [], times: [], size: 0 } };
    this.opts.onChange?.();
    return id;
  }

  /** Decode As, then the explicit protocol, then the server port (PROTOCOLS.md §7 steps 1–2). */
  private chooseProtocol(o: OpenConnection): { protocol: Protocol; variant?: string } | undefined {
    const rule = this.decodeAs.get(o.server.port) ?? this.decodeAs.get(o.client.port);
    if (rule) return { protocol: getProtocol(rule.protocol)!, variant: rule.variant };
    if (o.protocol && o.protocol !== 'auto') {
      const p = getProtocol(o.protocol);
      if (!p) throw new Error(`unknown protocol '${o.protocol}'`);
      return { protocol: p, variant: o.variant };
    }
    const byPort = protocolForPort(o.server.port);
    return byPort ? { protocol: byPort } : undefined;
  }

  private bind(conn: Conn, protocol: Protocol, variant?: string): void {
    conn.protocol = protocol;
    conn.variant = variant;
    conn.options = variant ? Object.freeze({ variant }) : NO_OPTIONS;
    conn.protocolNumber = PROTOCOLS.indexOf(protocol) + 1;
    conn.summary.protocol = protocol.id;
    conn.messages = new Map();
    conn.deframers = { c2s: this.deframer(conn, 'c2s'), s2c: this.deframer(conn, 's2c') };
  }

  /** A direction's deframer with the connection's protocol; the two share the connection's exchange. */
  private deframer(conn: Conn, direction: Direction): StreamDeframer {
    return new StreamDeframer(conn.protocol!.framer(direction, { maxPdu: this.opts.maxPdu, variant: conn.variant, exchange: conn.exchange }));
  }

  /**
   * Bytes of one direction, in stream order. `time` is ns since the epoch (default: now). `immutable`: the caller
   * never writes to `bytes` again (a socket's read buffer), so the PDU store may write large PDUs from them as they
   * are instead of copying them.
   */
  data(id: number, direction: Direction, bytes: Uint8Array, time?: bigint, immutable = false): void {
    const conn = this.conn(id);
    const t = this.relative(time);
    conn.summary.bytes[direction] += bytes.length;
    if (conn.summary.state === 'connecting') conn.summary.state = 'open';
    if (conn.pending) {
      const p = conn.pending[direction];
      p.chunks.push(bytes.slice());
      p.times.push(t);
      p.size += bytes.length;
      this.tryDetect(conn, false);
      if (conn.pending) return;
    } else if (conn.deframers) {
      this.cut(conn, direction, bytes, t, immutable);
    }
    this.opts.onChange?.();
  }

  /** Heuristics on the first bytes of either direction (§7 step 3); gives up after DETECT_LIMIT bytes. */
  private tryDetect(conn: Conn, final: boolean): void {
    const pending = conn.pending!;
    for (const dir of DIRS) {
      if (pending[dir].size === 0) continue;
      const first = concat(pending[dir].chunks, DETECT_LIMIT);
      const found = detectProtocol(first, dir);
      if (found) { this.release(conn, found.protocol); return; }
    }
    if (final || pending.c2s.size >= DETECT_LIMIT || pending.s2c.size >= DETECT_LIMIT) this.release(conn, undefined);
  }

  /** Binds the detected protocol (or none) and replays the bytes held while detecting. */
  private release(conn: Conn, protocol: Protocol | undefined): void {
    const pending = conn.pending!;
    conn.pending = undefined;
    if (protocol) this.bind(conn, protocol);
    for (const dir of DIRS) {
      pending[dir].chunks.forEach((chunk, i) => {
        // The held chunks are the session's own copies: nothing writes to them again.
        if (conn.deframers) this.cut(conn, dir, chunk, pending[dir].times[i], true);
        else this.record(conn, dir, chunk, pending[dir].times[i], { message: 'Data', pair: NO_PAIR }, false, false, true);
      });
    }
    this.opts.onChange?.();
  }

  /** Reused for every push: the deframer appends the PDUs of one chunk to it. */
  private readonly pdus: DeframedPdu[] = [];

  private cut(conn: Conn, direction: Direction, bytes: Uint8Array, time: number, immutable: boolean): void {
    const pdus = this.pdus;
    pdus.length = 0;
    conn.deframers![direction].push(bytes, pdus);
    // onFrame may feed the session again (re-entering cut): a lone PDU is taken out before it is recorded, several
    // are copied out first.
    const n = pdus.length;
    const list = n > 1 ? pdus.slice() : pdus;
    const only = list[0];
    for (let k = 0; k < n; k++) {
      const pdu = n === 1 ? only : list[k];
      if (pdu.skipped) {
        this.record(conn, direction, pdu.bytes, time, { message: 'Skipped', pair: NO_PAIR }, true, true, immutable);
        continue;
      }
      // The summary is not kept (row() recomputes it on demand): classify skips it when the protocol can.
      const peek = classifyPdu(conn.protocol!, pdu.bytes, direction, conn.options);
      this.record(conn, direction, pdu.bytes, time, peek, peek.malformed ?? false, false, immutable);
    }
  }

  private record(conn: Conn, direction: Direction, bytes: Uint8Array, time: number, peek: Omit<Peek, 'summary'>, malformed: boolean, skipped = false, immutable = false): number {
    this.firstTime ??= time;
    const entry = conn.messages.get(peek.message) ?? this.messageEntry(conn, peek.message);
    const keep = this.opts.keepBytes !== false;
    const frame = this.index.add(time, conn.summary.id, keep ? this.store.append(bytes, immutable) : 0, bytes.length, conn.protocolNumber, entry.number, direction === 'c2s' ? 0 : 1, malformed, skipped);
    conn.summary.frames++;
    const s = entry.stats;
    s.count++;
    s.bytes += bytes.length;
    this.pair(conn, frame, direction, peek.pair, s.rt);
    if (keep) this.opts.onFrame?.(frame);
    else this.onTransientFrame(conn, frame, bytes, peek.pair);
    return frame;
  }

  /** A frame whose bytes are not kept: onFrame while they are readable, and what its response will need of them. */
  private onTransientFrame(conn: Conn, frame: number, bytes: Uint8Array, pair: PairingKey): void {
    const requestContext = conn.protocol?.requestContext;
    if (requestContext && pair.role === 'request') {
      const context = requestContext(bytes);
      if (context) {
        if (this.waitingContexts.size >= MAX_WAITING_CONTEXTS) this.waitingContexts.delete(this.waitingContexts.keys().next().value!);
        this.waitingContexts.set(frame, context);
      }
    }
    this.transientOnFrame(frame, bytes);
    const request = this.index.pair(frame);
    if (pair.role === 'response' && !pair.more && request >= 0 && request < frame) this.waitingContexts.delete(request);
  }

  /** onFrame with the frame's bytes readable (onFrame may record more frames before it returns: restored after). */
  private transientOnFrame(frame: number, bytes: Uint8Array): void {
    const outerFrame = this.transientFrame;
    const outerBytes = this.transientBytes;
    this.transientFrame = frame;
    this.transientBytes = bytes;
    try {
      this.opts.onFrame?.(frame);
    } finally {
      this.transientFrame = outerFrame;
      this.transientBytes = outerBytes;
    }
  }

  /** The session-wide number and statistics of a protocol's message, found once per connection and name. */
  private messageEntry(conn: Conn, name: string): MessageEntry {
    const protocolId = conn.protocol?.id ?? RAW_NAME;
    const key = `${protocolId}\u0000${name}`;
    let number = this.messageIds.get(key);
    if (number === undefined) {
      number = this.messageNames.length;
      this.messageNames.push(name);
      this.messageIds.set(key, number);
    }
    let stats = this.stats.get(key);
    if (!stats) { stats = { protocol: protocolId, message: name, count: 0, bytes: 0, rt: [] }; this.stats.set(key, stats); }
    const entry: MessageEntry = { number, stats };
    conn.messages.set(name, entry);
    return entry;
  }

  private pair(conn: Conn, frame: number, direction: Direction, pair: PairingKey, responseTimes: number[]): void {
    if (pair.role === 'none') return;
    const lane = pair.key ?? `fifo:${pair.fifo ?? ''}`;
    if (pair.role === 'request') {
      // One waiting request is kept as a bare number (the usual case: keys are unique), several as a FIFO array.
      const waiting = conn.waiting[direction];
      const list = waiting.get(lane);
      if (list === undefined) {
        // Requests that are never answered (one-way messages with a key, a dead server) must not grow without
        // bound over a long session: past the limit the oldest waiting key is given up.
        if (waiting.size >= MAX_WAITING) waiting.deleteOldest();
        waiting.set(lane, frame);
      } else if (typeof list === 'number') waiting.set(lane, [list, frame]);
      else {
        if (list.length >= MAX_WAITING) list.shift();
        list.push(frame);
      }
      return;
    }
    // A response pairs with the oldest waiting request of the same lane sent the other way.
    const waiting = conn.waiting[direction === 'c2s' ? 's2c' : 'c2s'];
    const list = waiting.get(lane);
    if (list === undefined) return;
    let request: number;
    if (typeof list === 'number') {
      request = list;
      if (!pair.more) waiting.delete(lane);
    } else {
      request = pair.more ? list[0] : list.shift()!;
      if (list.length === 0) waiting.delete(lane);
    }
    this.index.setPair(frame, request);
    if (this.index.pair(request) < 0) this.index.setPair(request, frame);
    responseTimes.push((this.index.time(frame) - this.index.time(request)) / 1e9);
  }

  gap(id: number, direction: Direction, length: number): void {
    // A gap breaks framing: restart the deframer so decoding resumes at the next plausible header.
    const conn = this.conn(id);
    if (conn.protocol && conn.deframers) {
      conn.exchange.pending.length = 0;
      conn.deframers[direction] = this.deframer(conn, direction);
    }
    conn.summary.error = `${length} bytes missing (${direction})`;
  }

  connectionEvent(id: number, kind: ConnectionEventKind, detail?: string, time?: bigint): void {
    const conn = this.conn(id);
    const s = conn.summary;
    switch (kind) {
      case 'upstream-connected': if (s.state === 'connecting') s.state = 'open'; break;
      case 'half-close': if (s.state === 'open') s.state = 'half-closed'; break;
      case 'reset': s.state = 'reset'; s.error = detail ?? 'connection reset'; break;
      case 'failed': s.state = 'failed'; s.error = detail ?? 'connection failed'; break;
      case 'error': s.error = detail; break;
      case 'closed':
        if (conn.pending) this.tryDetect(conn, true);
        if (s.state !== 'reset' && s.state !== 'failed') s.state = 'closed';
        s.closedAt = this.relative(time);
        break;
    }
    this.opts.onChange?.();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Queries

  protocolName(frame: number): string {
    const n = this.index.protocol(frame);
    return n === RAW ? RAW_NAME : PROTOCOLS[n - 1].id;
  }

  /** The frame's protocol; undefined for raw bytes of an unknown protocol. */
  protocolOf(frame: number): Protocol | undefined {
    const n = this.index.protocol(frame);
    return n === RAW ? undefined : PROTOCOLS[n - 1];
  }

  messageName(frame: number): string {
    return this.messageNames[this.index.message(frame)];
  }

  bytes(frame: number): Uint8Array {
    if (frame === this.transientFrame) return this.transientBytes!;
    if (this.opts.keepBytes === false) throw new Error(`frame ${frame + 1}: its bytes are not kept (keepBytes: false), only readable in its onFrame`);
    return this.store.read(this.index.offset(frame), this.index.length(frame));
  }

  directionOf(frame: number): Direction {
    return this.index.direction(frame) === 0 ? 'c2s' : 's2c';
  }

  connection(id: number): ConnectionSummary | undefined {
    return this.conns.get(id)?.summary;
  }

  connections(): ConnectionSummary[] {
    return [...this.conns.values()].map((c) => c.summary);
  }

  /** Seconds since the session's first frame. */
  timeRelative(frame: number): number {
    return (this.index.time(frame) - (this.firstTime ?? 0)) / 1e9;
  }

  /** What a decoder needs besides the bytes: the connection's variant and what pairing learned. */
  decodeOptions(frame: number): { context?: Record<string, unknown>; variant?: string } {
    const conn = this.conns.get(this.index.connection(frame))!;
    const context = this.context(frame);
    // Without a context, the connection's own (frozen, shared) options: no object per call.
    if (!context) return conn.options;
    return conn.variant ? { context, variant: conn.variant } : { context };
  }

  /** Seconds between a response and its request; undefined on requests and unpaired frames. */
  responseTime(frame: number): number | undefined {
    const other = this.index.pair(frame);
    if (other < 0 || other > frame) return undefined;
    return (this.index.time(frame) - this.index.time(other)) / 1e9;
  }

  row(frame: number): FrameRow {
    const i = this.index;
    const conn = this.conns.get(i.connection(frame))!;
    const direction = this.directionOf(frame);
    const [from, to] = direction === 'c2s' ? [conn.summary.client, conn.summary.server] : [conn.summary.server, conn.summary.client];
    const protocol = conn.protocol;
    let summary: string;
    if (i.skipped(frame) || !protocol) summary = `${i.length(frame)} bytes${i.skipped(frame) ? ' skipped: no plausible header' : ''}`;
    else summary = protocol.peek(this.bytes(frame), direction, this.decodeOptions(frame)).summary;
    const pair = i.pair(frame);
    const rt = this.responseTime(frame);
    return {
      number: frame + 1, time: this.timeRelative(frame), connection: conn.summary.id,
      source: `${from.host}:${from.port}`, destination: `${to.host}:${to.port}`, protocol: this.protocolName(frame),
      direction, length: i.length(frame), message: this.messageName(frame), summary, malformed: i.malformed(frame),
      ...(pair >= 0 ? { pairedWith: pair + 1 } : {}), ...(rt !== undefined ? { responseTime: rt } : {}),
    };
  }

  /**
   * What pairing knows that decoding needs: the request's message (txlcn's `rok` payload depends on its action) and
   * what the protocol takes from the request's bytes (Protocol.requestContext: HTTP's method and target).
   */
  context(frame: number): Record<string, unknown> | undefined {
    const pair = this.index.pair(frame);
    if (pair < 0 || pair > frame) return undefined;
    const requestContext = this.protocolOf(pair)?.requestContext;
    const fromRequest = !requestContext ? undefined : this.opts.keepBytes === false ? this.waitingContexts.get(pair) : requestContext(this.bytes(pair));
    return responseContext(this.messageName(pair), fromRequest);
  }

  detail(frame: number): FrameDetail {
    return { row: this.row(frame), hex: toHex(this.bytes(frame)), ...this.decodeOptions(frame) };
  }

  messageStats(): MessageStats[] {
    return [...this.stats.values()].map((s) => ({
      protocol: s.protocol, message: s.message, count: s.count, bytes: s.bytes,
      ...(s.rt.length ? { responseTime: percentiles(s.rt) } : {}),
    }));
  }

  /** Keeps what was recorded on disk for at most the flush interval; call before reading the store elsewhere. */
  flush(): void {
    this.store.flush();
  }

  close(removeStore = false): void {
    this.store.close(removeStore);
  }

  private conn(id: number): Conn {
    const c = this.conns.get(id);
    if (!c) throw new Error(`no connection ${id}`);
    return c;
  }
}

function concat(chunks: Uint8Array[], max: number): Uint8Array {
  const out = new Uint8Array(Math.min(max, chunks.reduce((n, c) => n + c.length, 0)));
  let at = 0;
  for (const c of chunks) {
    if (at >= out.length) break;
    const n = Math.min(c.length, out.length - at);
    out.set(c.subarray(0, n), at);
    at += n;
  }
  return out;
}

export function percentiles(values: number[]): { p50: number; p95: number; max: number; count: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1], count: sorted.length };
}

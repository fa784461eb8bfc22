/**
 * The proxy's core, sans-IO (after mitmproxy): a plain object that takes socket events and returns commands.
 * No sockets inside, so every behaviour — forwarding, backpressure, half-close, resets, a dead upstream, intercept,
 * injection, chaos — is tested with scripted events. Bytes are forwarded first and recorded second (DESIGN.md, hot
 * path). Timers are commands out (`timer`) and events in (`timer`), so time too is scripted in tests.
 *
 * A direction ("lane") is a plain byte pipe until a policy needs frame boundaries (intercept or mock rules, chaos):
 * then it is cut into PDUs with the protocol's framer. Framing can only start where a PDU starts, so a lane that
 * has already carried bytes waits until `atBoundary` (the recorder, which cuts the same bytes) says it is at one.
 */
import { concatBytes } from '../../../shared/codec/bytes';
import { StreamDeframer } from '../../../shared/codec/framing';
import type { Direction, Framer } from '../../../shared/codec/protocol';

export type Side = 'client' | 'server';

export type RelayEvent =
  | { type: 'accepted' }
  | { type: 'connected' }
  | { type: 'connect-failed'; error: string }
  | { type: 'data'; side: Side; bytes: Uint8Array }
  /** The side's socket buffer is full (write returned false). */
  | { type: 'blocked'; side: Side }
  | { type: 'drained'; side: Side }
  /** The recorder is behind the disk: both sides stop reading until `recording-caught-up`. */
  | { type: 'recording-behind' }
  | { type: 'recording-caught-up' }
  /** The side half-closed (FIN): it will send nothing more. */
  | { type: 'end'; side: Side }
  | { type: 'error'; side: Side; error: string; reset: boolean }
  | { type: 'closed'; side: Side }
  /** New intercept, mock or chaos settings (undefined: a plain relay again). */
  | { type: 'configure'; policy: RelayPolicy | undefined }
  /** Bytes of ours into a direction's stream, at the next frame boundary. */
  | { type: 'inject'; direction: Direction; bytes: Uint8Array; mark?: RelayMark }
  /** The user's decision on a held PDU: forward it (replaced by `bytes` when given) or drop it. */
  | { type: 'release'; key: number; action: 'forward' | 'drop'; bytes?: Uint8Array }
  | { type: 'release-all'; action: 'forward' | 'drop' }
  /** A timer the relay asked for has expired. */
  | { type: 'timer'; key: string };

export type RelayCommand =
  | { type: 'connect' }
  | { type: 'write'; side: Side; bytes: Uint8Array }
  | { type: 'pause'; side: Side }
  | { type: 'resume'; side: Side }
  | { type: 'end'; side: Side }
  | { type: 'reset'; side: Side }
  | { type: 'destroy'; side: Side }
  | { type: 'record'; record: RelayRecord }
  /** Send `{ type: 'timer', key }` back after `ms` milliseconds. */
  | { type: 'timer'; key: string; ms: number }
  | { type: 'notify'; notice: RelayNotice };

/** How a frame came to be when the proxy had a hand in it (the recorder keeps it with the frame). */
export interface RelayMark {
  kind: 'injected' | 'modified' | 'dropped' | 'answered' | 'mock';
  /** `modified`: the bytes as the peer sent them. */
  original?: Uint8Array;
  note?: string;
}

/**
 * What the recorder stores: data in stream order per direction, and the connection's life events. Data bytes are
 * never written to again (they are what was, or is to be, handed to a socket write, which holds them too), so a
 * recorder may keep them without a copy.
 */
export type RelayRecord =
  | { kind: 'data'; direction: Direction; bytes: Uint8Array; mark?: RelayMark }
  | { kind: 'open' }
  | { kind: 'upstream-connected' }
  | { kind: 'upstream-failed'; error: string }
  | { kind: 'half-close'; by: Side }
  | { kind: 'reset'; by: Side; error: string }
  | { kind: 'error'; side: Side; error: string }
  | { kind: 'closed' };

/** What the intercept queue and the user need to hear about. */
export type RelayNotice =
  | { kind: 'held'; key: number; direction: Direction; bytes: Uint8Array; timeoutMs?: number }
  | { kind: 'released'; key: number; outcome: 'forwarded' | 'modified' | 'dropped' | 'lost'; timedOut?: boolean }
  | { kind: 'inject-failed'; direction: Direction; length: number; reason: string };

/** What to do with one PDU of an inspected direction. */
export type PduDecision = 'pass' | 'hold' | { answer: Uint8Array[]; close?: boolean };

export interface ChaosSpec {
  /** Write each frame (or coalesced group) in pieces of at most this many bytes. */
  splitBytes?: number;
  /** Write this many frames as one write. */
  coalesce?: number;
  /** Wait this long after each write before the next. */
  delayMs?: number;
  /** Coalescing writes what it has after waiting this long for more frames (default 50). */
  coalesceWaitMs?: number;
}

export interface RelayPolicy {
  /**
   * The framer of a direction; `atStart`: framing starts with the stream, `first` is then its first chunk when it
   * has come (detection). Undefined: the direction is relayed as bytes.
   */
  framer?(direction: Direction, first: Uint8Array | undefined, atStart: boolean): Framer | undefined;
  /** Directions whose PDUs go through `decide`. */
  inspect?: Partial<Record<Direction, boolean>>;
  /** Directions cut into PDUs though `decide` does not see them (the requests whose responses are framed by them). */
  frame?: Partial<Record<Direction, boolean>>;
  decide?(direction: Direction, pdu: Uint8Array): PduDecision;
  /** A held PDU is released after this long (0 or absent: never)… */
  holdTimeoutMs?: number;
  /** …this way (default forward). */
  holdTimeoutAction?: 'forward' | 'drop';
  chaos?: Partial<Record<Direction, ChaosSpec>>;
}

export interface RelayOptions {
  policy?: RelayPolicy;
  /**
   * Whether everything recorded so far in a direction ends at a PDU boundary (asked only after the relay has
   * carried bytes in that direction). Absent: only the start of a stream is a known boundary.
   */
  atBoundary?(direction: Direction): boolean;
}

/** Queued bytes per direction beyond which the source is paused (held frames, chaos delays). */
const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;
/** How long an injection waits for a frame boundary before it is given up. */
export const INJECT_WAIT_MS = 5000;
const DEFAULT_COALESCE_WAIT_MS = 50;

const other = (side: Side): Side => (side === 'client' ? 'server' : 'client');
const dirFrom = (from: Side): Direction => (from === 'client' ? 'c2s' : 's2c');

type Held = 'ready' | 'held' | 'dropped' | 'answered';

/** The intercept stage: PDUs in arrival order; the first held one blocks those behind it. */
interface Entry {
  bytes: Uint8Array;
  state: Held;
  key?: number;
  mark?: RelayMark;
}

/** The output stage: what goes on the wire (or only into the record), in order. */
interface OutItem {
  bytes: Uint8Array;
  write: boolean;
  mark?: RelayMark;
}

interface Piece {
  bytes: Uint8Array;
  /** Records to emit once this piece is written: the frames whose last byte it carries. */
  records: OutItem[];
}

class Lane {
  readonly from: Side;
  readonly to: Side;
  deframer?: StreamDeframer;
  /** No framer could be had (unknown protocol): stays a byte pipe. */
  unframeable = false;
  queue: Entry[] = [];
  out: OutItem[] = [];
  pieces: Piece[] = [];
  /** Injections waiting for a boundary. */
  injects: { bytes: Uint8Array; mark?: RelayMark }[] = [];
  /** Bytes taken from the source (and recorded, or queued to be). */
  received = 0;
  /** Bytes recorded so far. */
  recorded = 0;
  queuedBytes = 0;
  delayArmed = false;
  coalesceArmed = false;
  coalesceDue = false;
  boundaryArmed = false;
  /** The pending injections' give-up timer (0: none). */
  injectDeadline = 0;
  sourceEnded = false;
  endSent = false;
  queuePaused = false;

  constructor(readonly direction: Direction) {
    this.from = direction === 'c2s' ? 'client' : 'server';
    this.to = other(this.from);
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.out.length === 0 && this.pieces.length === 0;
  }
}

export class Relay {
  private upstream: 'connecting' | 'open' | 'failed' = 'connecting';
  /** Client bytes that arrived before the upstream connection was up (plain lanes). */
  private pending: Uint8Array[] = [];
  private ended = { client: false, server: false };
  private closed = { client: false, server: false };
  /** Why each side's reader is paused; it resumes when no reason is left. `connecting`: the adapter pauses the client. */
  private pauses: Record<Side, Set<string>> = { client: new Set(['connecting']), server: new Set() };
  private finished = false;
  private policy: RelayPolicy | undefined;
  private readonly lanes: Record<Direction, Lane> = { c2s: new Lane('c2s'), s2c: new Lane('s2c') };
  private nextKey = 1;
  private deadlines = 0;

  constructor(private readonly opts: RelayOptions = {}) {
    this.policy = opts.policy;
  }

  /** Keys of the PDUs held right now. */
  held(): number[] {
    const out: number[] = [];
    for (const lane of Object.values(this.lanes)) for (const e of lane.queue) if (e.state === 'held') out.push(e.key!);
    return out;
  }

  handle(event: RelayEvent): RelayCommand[] {
    const out: RelayCommand[] = [];
    switch (event.type) {
      case 'accepted':
        out.push({ type: 'record', record: { kind: 'open' } }, { type: 'connect' });
        break;
      case 'connected': {
        this.upstream = 'open';
        out.push({ type: 'record', record: { kind: 'upstream-connected' } });
        for (const bytes of this.pending) out.push({ type: 'write', side: 'server', bytes });
        this.pending = [];
        this.pump(this.lanes.c2s, out);
        this.unpause('client', 'connecting', out);
        break;
      }
      case 'connect-failed':
        // A dead upstream is a visible event and a reset towards the client, never a hang.
        this.upstream = 'failed';
        this.closed.server = true;
        this.pending = [];
        out.push({ type: 'record', record: { kind: 'upstream-failed', error: event.error } }, { type: 'reset', side: 'client' });
        this.finish(out);
        break;
      case 'data':
        this.data(this.lanes[dirFrom(event.side)], event.bytes, out);
        break;
      case 'blocked':
        // The writer's buffer is full: stop reading from the side that feeds it.
        this.pause(other(event.side), 'blocked', out);
        break;
      case 'drained':
        this.unpause(other(event.side), 'blocked', out);
        break;
      case 'recording-behind':
        this.pause('client', 'recording', out);
        this.pause('server', 'recording', out);
        break;
      case 'recording-caught-up':
        this.unpause('client', 'recording', out);
        this.unpause('server', 'recording', out);
        break;
      case 'end': {
        this.ended[event.side] = true;
        out.push({ type: 'record', record: { kind: 'half-close', by: event.side } });
        const lane = this.lanes[dirFrom(event.side)];
        lane.sourceEnded = true;
        if (lane.deframer) this.flushDeframer(lane, true, out);
        this.pump(lane, out);
        if (lane.injects.length > 0 && !lane.boundaryArmed) {
          lane.boundaryArmed = true;
          out.push({ type: 'timer', key: `boundary:${lane.direction}`, ms: 0 });
        }
        break;
      }
      case 'error':
        out.push({ type: 'record', record: event.reset ? { kind: 'reset', by: event.side, error: event.error } : { kind: 'error', side: event.side, error: event.error } });
        // A reset on one side is passed on as a reset; other errors close the peer.
        if (!this.closed[other(event.side)]) out.push({ type: event.reset ? 'reset' : 'destroy', side: other(event.side) });
        break;
      case 'closed':
        this.closed[event.side] = true;
        // After FIN both ways the other side closes by itself; any other close leaves it nothing to talk to.
        if (!this.closed[other(event.side)] && !(this.ended.client && this.ended.server)) {
          out.push({ type: 'destroy', side: other(event.side) });
        }
        if (this.closed.client && (this.closed.server || this.upstream === 'failed')) this.finish(out);
        break;
      case 'configure':
        this.policy = event.policy;
        for (const lane of Object.values(this.lanes)) this.reconsider(lane, out);
        break;
      case 'inject':
        this.inject(this.lanes[event.direction], event.bytes, { kind: 'injected', ...event.mark }, out);
        break;
      case 'release':
        this.release(event.key, event.action, event.bytes, false, out);
        break;
      case 'release-all':
        for (const key of this.held()) this.release(key, event.action, undefined, false, out);
        break;
      case 'timer':
        this.timer(event.key, out);
        break;
    }
    return out;
  }

  /**
   * The hot path without command objects, for the adapter: when a `data` event from `side` would only be written
   * to the other side and recorded (a plain lane: no framing, intercept, chaos or injection pending, the upstream
   * up), does that bookkeeping and answers what the adapter must do — 'write' (write to the other side, then
   * record), 'record' (the other side is closed or ended: record only). `undefined`: nothing was done, send the
   * `data` event through `handle`. `handle({ type: 'data' })` gives the same outcome as commands in every case.
   */
  plainData(side: Side, length: number): 'write' | 'record' | undefined {
    const lane = this.lanes[dirFrom(side)];
    if (this.finished || lane.deframer || lane.injects.length > 0 || !lane.idle) return undefined;
    if (lane.direction === 'c2s' && this.upstream === 'connecting') return undefined;
    if (this.policy && (this.wantsFraming(lane) || this.chaosOf(lane))) return undefined;
    lane.received += length;
    lane.recorded += length;
    return !this.closed[lane.to] && !lane.endSent ? 'write' : 'record';
  }

  // -------------------------------------------------------------------------------------------------------------
  // Intake

  private data(lane: Lane, bytes: Uint8Array, out: RelayCommand[]): void {
    if (this.finished) return;
    if (!lane.deframer && this.wantsFraming(lane)) this.tryStartFraming(lane, bytes, out);
    if (!lane.deframer && lane.idle && !this.chaosOf(lane)) {
      this.plain(lane, bytes, out);
    } else if (lane.deframer) {
      lane.received += bytes.length;
      for (const pdu of lane.deframer.push(bytes)) this.admit(lane, pdu.bytes, pdu.skipped === true, out);
      this.pump(lane, out);
    } else {
      lane.received += bytes.length;
      lane.queue.push({ bytes, state: 'ready' });
      lane.queuedBytes += bytes.length;
      this.pump(lane, out);
    }
    // The recorder sees these bytes after this call: ask again once it has.
    if ((lane.injects.length > 0 || (!lane.deframer && this.wantsFraming(lane))) && !lane.boundaryArmed) {
      lane.boundaryArmed = true;
      out.push({ type: 'timer', key: `boundary:${lane.direction}`, ms: 0 });
    }
  }

  /** The hot path: write at once, record after. */
  private plain(lane: Lane, bytes: Uint8Array, out: RelayCommand[]): void {
    lane.received += bytes.length;
    lane.recorded += bytes.length;
    if (lane.direction === 'c2s' && this.upstream === 'connecting') {
      this.pending.push(bytes);
      out.push({ type: 'pause', side: 'client' });
    } else if (!this.closed[lane.to] && !lane.endSent) {
      out.push({ type: 'write', side: lane.to, bytes });
    }
    out.push({ type: 'record', record: { kind: 'data', direction: lane.direction, bytes } });
  }

  private wantsFraming(lane: Lane): boolean {
    const p = this.policy;
    if (!p?.framer || lane.unframeable || lane.sourceEnded) return false;
    return p.inspect?.[lane.direction] === true || p.frame?.[lane.direction] === true || this.chaosOf(lane) !== undefined;
  }

  private chaosOf(lane: Lane): ChaosSpec | undefined {
    const c = this.policy?.chaos?.[lane.direction];
    return c && ((c.splitBytes ?? 0) > 0 || (c.coalesce ?? 0) > 1 || (c.delayMs ?? 0) > 0) ? c : undefined;
  }

  /** Whether the next byte of this direction starts a PDU (everything before it recorded and cut). */
  private atBoundary(lane: Lane): boolean {
    if (lane.received === 0) return true;
    if (lane.deframer) return lane.deframer.buffered === 0;
    if (lane.recorded !== lane.received || !lane.idle) return false;
    return this.opts.atBoundary?.(lane.direction) ?? false;
  }

  private tryStartFraming(lane: Lane, first: Uint8Array | undefined, out: RelayCommand[]): void {
    if (!this.atBoundary(lane)) return;
    const framer = this.policy!.framer!(lane.direction, lane.received === 0 ? first : undefined, lane.received === 0);
    if (!framer) { lane.unframeable = lane.received > 0 || first !== undefined; return; }
    lane.deframer = new StreamDeframer(framer);
    this.flushInjects(lane, out);
  }

  /** One PDU of a framed lane: decided, then queued behind any held one. */
  private admit(lane: Lane, pdu: Uint8Array, skipped: boolean, out: RelayCommand[]): void {
    const p = this.policy;
    const decision: PduDecision = !skipped && p?.decide && p.inspect?.[lane.direction] ? p.decide(lane.direction, pdu) : 'pass';
    const entry: Entry = { bytes: pdu, state: 'ready' };
    if (decision === 'hold') {
      entry.state = 'held';
      entry.key = this.nextKey++;
      const timeoutMs = p?.holdTimeoutMs && p.holdTimeoutMs > 0 ? p.holdTimeoutMs : undefined;
      out.push({ type: 'notify', notice: { kind: 'held', key: entry.key, direction: lane.direction, bytes: pdu, ...(timeoutMs ? { timeoutMs } : {}) } });
      if (timeoutMs) out.push({ type: 'timer', key: `hold:${entry.key}`, ms: timeoutMs });
    } else if (decision !== 'pass') {
      entry.state = 'answered';
      entry.mark = { kind: 'answered', note: 'answered by a mock rule: the server never received it' };
      lane.queue.push(entry);
      lane.queuedBytes += pdu.length;
      // The request is recorded before its answer, so the session pairs them.
      this.pump(lane, out);
      const back = this.lanes[lane.direction === 'c2s' ? 's2c' : 'c2s'];
      for (const reply of decision.answer) this.inject(back, reply, { kind: 'mock', note: 'reply written by a mock rule' }, out);
      if (decision.close) this.closeAfterAnswer(back, out);
      return;
    }
    lane.queue.push(entry);
    lane.queuedBytes += pdu.length;
  }

  private closeAfterAnswer(back: Lane, out: RelayCommand[]): void {
    back.sourceEnded = true;
    this.pump(back, out);
  }

  /** At a source's end: what the framer still holds goes on as it is (a PDU that ends with the stream, or a tail). */
  private flushDeframer(lane: Lane, atEof: boolean, out: RelayCommand[]): void {
    const d = lane.deframer!;
    lane.deframer = undefined;
    if (d.buffered === 0 && !atEof) return;
    const { pdus, remainder } = d.finish();
    for (const pdu of pdus) this.admit(lane, pdu.bytes, false, out);
    if (remainder.length > 0) { lane.queue.push({ bytes: remainder, state: 'ready' }); lane.queuedBytes += remainder.length; }
  }

  /** The policy changed: start or stop framing, flush what chaos no longer delays. */
  private reconsider(lane: Lane, out: RelayCommand[]): void {
    if (this.finished) return;
    lane.unframeable = false;
    if (lane.deframer && !this.wantsFraming(lane)) this.flushDeframer(lane, false, out);
    else if (!lane.deframer && this.wantsFraming(lane)) this.tryStartFraming(lane, undefined, out);
    this.pump(lane, out);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Injection, holds, timers

  private inject(lane: Lane, bytes: Uint8Array, mark: RelayMark, out: RelayCommand[]): void {
    if (this.finished || this.closed[lane.to] || lane.endSent) {
      out.push({ type: 'notify', notice: { kind: 'inject-failed', direction: lane.direction, length: bytes.length, reason: 'the connection is closed in that direction' } });
      return;
    }
    lane.injects.push({ bytes, mark });
    this.flushInjects(lane, out);
    if (lane.injects.length === 0) return;
    // It waits for a boundary: give up visibly if none comes.
    if (lane.injectDeadline === 0) {
      lane.injectDeadline = ++this.deadlines;
      out.push({ type: 'timer', key: `inject:${lane.direction}:${lane.injectDeadline}`, ms: INJECT_WAIT_MS });
    }
    if (!lane.boundaryArmed && lane.sourceEnded) {
      // No more data will come to trigger the check: ask once the recorder has caught up.
      lane.boundaryArmed = true;
      out.push({ type: 'timer', key: `boundary:${lane.direction}`, ms: 0 });
    }
  }

  /** Injections go out at a boundary: straight after what is already on its way, ahead of held PDUs. */
  private flushInjects(lane: Lane, out: RelayCommand[]): void {
    if (lane.injects.length === 0) return;
    if (!lane.deframer && !this.atBoundary(lane)) return;
    for (const i of lane.injects.splice(0)) {
      lane.out.push({ bytes: i.bytes, write: true, mark: i.mark });
      lane.queuedBytes += i.bytes.length;
      lane.received += i.bytes.length;
    }
    lane.injectDeadline = 0;
    this.drain(lane, out);
  }

  private release(key: number, action: 'forward' | 'drop', bytes: Uint8Array | undefined, timedOut: boolean, out: RelayCommand[]): void {
    for (const lane of Object.values(this.lanes)) {
      const e = lane.queue.find((x) => x.key === key && x.state === 'held');
      if (!e) continue;
      let outcome: 'forwarded' | 'modified' | 'dropped';
      if (action === 'drop') {
        e.state = 'dropped';
        e.mark = { kind: 'dropped', note: timedOut ? 'held, then dropped by the hold timeout: the peer never received it' : 'held, then dropped: the peer never received it' };
        outcome = 'dropped';
      } else {
        e.state = 'ready';
        outcome = 'forwarded';
        if (bytes && !sameBytes(bytes, e.bytes)) {
          e.mark = { kind: 'modified', original: e.bytes, note: 'edited in the intercept queue, then forwarded' };
          lane.queuedBytes += bytes.length - e.bytes.length;
          e.bytes = bytes;
          outcome = 'modified';
        }
      }
      out.push({ type: 'notify', notice: { kind: 'released', key, outcome, ...(timedOut ? { timedOut } : {}) } });
      this.pump(lane, out);
      return;
    }
  }

  private timer(key: string, out: RelayCommand[]): void {
    if (this.finished) return;
    const [kind, arg, gen] = key.split(':');
    if (kind === 'hold') { this.release(Number(arg), this.policy?.holdTimeoutAction ?? 'forward', undefined, true, out); return; }
    const lane = this.lanes[arg as Direction];
    if (!lane) return;
    switch (kind) {
      case 'out': lane.delayArmed = false; this.drain(lane, out); break;
      case 'coalesce': lane.coalesceArmed = false; lane.coalesceDue = true; this.drain(lane, out); break;
      case 'boundary':
        lane.boundaryArmed = false;
        if (!lane.deframer && this.wantsFraming(lane)) this.tryStartFraming(lane, undefined, out);
        this.flushInjects(lane, out);
        break;
      case 'inject':
        if (lane.injectDeadline === Number(gen) && lane.injects.length > 0) {
          lane.injectDeadline = 0;
          for (const i of lane.injects.splice(0)) {
            out.push({ type: 'notify', notice: { kind: 'inject-failed', direction: lane.direction, length: i.bytes.length, reason: `the stream did not reach a frame boundary within ${INJECT_WAIT_MS} ms` } });
          }
          this.drain(lane, out);
        }
        break;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Output

  /** Moves what is no longer held from the intercept stage to the output stage, then writes. */
  private pump(lane: Lane, out: RelayCommand[]): void {
    while (lane.queue.length > 0 && lane.queue[0].state !== 'held') {
      const e = lane.queue.shift()!;
      lane.out.push({ bytes: e.bytes, write: e.state === 'ready', mark: e.mark });
    }
    this.drain(lane, out);
  }

  private drain(lane: Lane, out: RelayCommand[]): void {
    if (lane.direction === 'c2s' && this.upstream !== 'open') { this.flow(lane, out); return; }
    const chaos = this.chaosOf(lane);
    if (!chaos) {
      // Pieces planned while chaos was on go first.
      for (const p of lane.pieces.splice(0)) this.emit(lane, p.bytes, p.records, out);
      for (const item of lane.out.splice(0)) this.emit(lane, item.write ? item.bytes : undefined, [item], out);
    } else {
      this.drainChaos(lane, chaos, out);
    }
    if (lane.idle && lane.sourceEnded && !lane.endSent && !lane.deframer && lane.injects.length === 0) {
      lane.endSent = true;
      if (!this.closed[lane.to]) out.push({ type: 'end', side: lane.to });
    }
    this.flow(lane, out);
  }

  /** Splits, coalesces and spaces out writes; a frame is recorded with the write that carries its last byte. */
  private drainChaos(lane: Lane, chaos: ChaosSpec, out: RelayCommand[]): void {
    while (!lane.delayArmed) {
      if (lane.pieces.length === 0 && !this.plan(lane, chaos, out)) return;
      const piece = lane.pieces.shift()!;
      this.emit(lane, piece.bytes, piece.records, out);
      if ((chaos.delayMs ?? 0) > 0) {
        lane.delayArmed = true;
        out.push({ type: 'timer', key: `out:${lane.direction}`, ms: chaos.delayMs! });
      }
    }
  }

  /** Plans the next write unit into pieces; false when there is nothing (yet) to write. */
  private plan(lane: Lane, chaos: ChaosSpec, out: RelayCommand[]): boolean {
    // What is only recorded (dropped, answered) needs no write.
    while (lane.out.length > 0 && !lane.out[0].write) this.emit(lane, undefined, [lane.out.shift()!], out);
    if (lane.out.length === 0) { lane.coalesceDue = false; return false; }
    const want = Math.max(1, chaos.coalesce ?? 1);
    let n = 0;
    while (n < lane.out.length && n < want && lane.out[n].write) n++;
    const moreMayCome = n === lane.out.length && !lane.sourceEnded && !lane.coalesceDue;
    if (n < want && moreMayCome) {
      if (!lane.coalesceArmed) {
        lane.coalesceArmed = true;
        out.push({ type: 'timer', key: `coalesce:${lane.direction}`, ms: chaos.coalesceWaitMs ?? DEFAULT_COALESCE_WAIT_MS });
      }
      return false;
    }
    lane.coalesceDue = false;
    const items = lane.out.splice(0, n);
    const unit = items.length === 1 ? items[0].bytes : concatBytes(items.map((i) => i.bytes));
    const size = chaos.splitBytes && chaos.splitBytes > 0 ? chaos.splitBytes : Math.max(1, unit.length);
    let itemEnd = 0;
    let next = 0;
    for (let at = 0; at < unit.length; at += size) {
      const end = Math.min(unit.length, at + size);
      const piece: Piece = { bytes: unit.subarray(at, end), records: [] };
      // Every frame whose last byte lies in this piece is recorded with it.
      while (next < items.length && itemEnd + items[next].bytes.length <= end) { itemEnd += items[next].bytes.length; piece.records.push(items[next++]); }
      lane.pieces.push(piece);
    }
    while (next < items.length) lane.pieces[lane.pieces.length - 1].records.push(items[next++]); // empty frames
    return true;
  }

  private emit(lane: Lane, bytes: Uint8Array | undefined, records: OutItem[], out: RelayCommand[]): void {
    if (bytes && bytes.length > 0 && !this.closed[lane.to] && !lane.endSent) out.push({ type: 'write', side: lane.to, bytes });
    for (const r of records) {
      lane.queuedBytes -= r.bytes.length;
      lane.recorded += r.bytes.length;
      out.push({ type: 'record', record: { kind: 'data', direction: lane.direction, bytes: r.bytes, ...(r.mark ? { mark: r.mark } : {}) } });
    }
  }

  /** Pauses a source whose queue grew too long (held frames, slow chaos), resumes it once drained. */
  private flow(lane: Lane, out: RelayCommand[]): void {
    if (!lane.queuePaused && lane.queuedBytes > HIGH_WATER) { lane.queuePaused = true; this.pause(lane.from, 'queue', out); }
    else if (lane.queuePaused && lane.queuedBytes < LOW_WATER) { lane.queuePaused = false; this.unpause(lane.from, 'queue', out); }
  }

  private pause(side: Side, reason: string, out: RelayCommand[]): void {
    const set = this.pauses[side];
    if (set.has(reason)) return;
    set.add(reason);
    if (set.size === 1) out.push({ type: 'pause', side });
  }

  private unpause(side: Side, reason: string, out: RelayCommand[]): void {
    const set = this.pauses[side];
    if (!set.delete(reason)) return;
    if (set.size === 0) out.push({ type: 'resume', side });
  }

  private finish(out: RelayCommand[]): void {
    if (this.finished) return;
    this.finished = true;
    for (const key of this.held()) out.push({ type: 'notify', notice: { kind: 'released', key, outcome: 'lost' } });
    for (const lane of Object.values(this.lanes)) {
      for (const i of lane.injects) out.push({ type: 'notify', notice: { kind: 'inject-failed', direction: lane.direction, length: i.bytes.length, reason: 'the connection closed' } });
      lane.injects = [];
      lane.queue = [];
    }
    out.push({ type: 'record', record: { kind: 'closed' } });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

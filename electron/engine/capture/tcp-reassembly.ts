/**
 * TCP reassembly: decoded segments in, connection events out, in the order a reader of each byte stream needs them.
 *
 * Connections are keyed by their two endpoints, so both directions are one connection. Which side is the client
 * (the c2s sender, PROTOCOLS.md §0.3):
 *   1. the sender of a SYN without ACK;
 *   2. else the receiver of a SYN+ACK (the client's SYN was not captured);
 *   3. else (the capture started mid-connection) the side whose port is not a known server port, when exactly one
 *      side's port is one (`isServerPort`, e.g. the protocols' default ports);
 *   4. else the side with the higher port, ephemeral ports being high;
 *   5. else (equal ports) the sender of the first packet seen.
 *
 * Per direction, payload bytes are delivered once, in order, with their offset in the stream (0 = first byte after
 * the SYN, or the first byte seen when the SYN was not captured). Sequence numbers are compared modulo 2^32, so
 * wraparound and streams over 4 GiB work. Out-of-order segments are copied and held (bounded). Where two copies of a
 * byte disagree, the first copy received wins and an `overlap` event reports the conflict; retransmitted bytes that
 * agree are dropped silently. A hole is given up on, with a `gap` event and delivery resuming after it, when:
 *   - the peer acknowledges bytes that were never seen (they reached the peer but not the capture); a hole before a
 *     FIN resolves this way when the FIN is acknowledged;
 *   - the held segment right after the hole has waited `gapTimeoutNs` of capture time;
 *   - the held data exceeds `maxBufferedBytes` or `maxBufferedSegments`;
 *   - a RST ends the connection, or `end()` ends the capture.
 * A FIN is delivered as a `fin` event once every byte before it has been; `close` (reason 'fin') follows the second
 * direction's fin. A RST closes at once (reason 'rst'). A connection still open at the end of the capture gets no
 * close. A SYN with a new initial sequence number on a known 4-tuple starts a new connection.
 */
import { TcpFlag, type TcpSegment } from '../net/tcp-segment';

export type Direction = 'c2s' | 's2c';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface TcpConnection {
  /** Numbered from 1 in order of first appearance. */
  id: number;
  ipVersion: 4 | 6;
  client: Endpoint;
  server: Endpoint;
  /** What was seen first: the client's SYN, the server's SYN+ACK, or neither (capture started mid-connection). */
  start: 'syn' | 'syn-ack' | 'midstream';
}

/** Why a hole was given up: see the rules above. 'end' is also used for a connection replaced by a new SYN. */
export type GapReason = 'acked-unseen' | 'timeout' | 'buffer-full' | 'rst' | 'end';

export type ReassemblyEvent =
  | { type: 'open'; connection: TcpConnection; timestamp: bigint }
  | { type: 'data'; connectionId: number; direction: Direction; offset: number; bytes: Uint8Array; timestamp: bigint; packet?: number }
  | { type: 'gap'; connectionId: number; direction: Direction; offset: number; length: number; timestamp: bigint; reason: GapReason }
  | { type: 'overlap'; connectionId: number; direction: Direction; offset: number; length: number; timestamp: bigint; packet?: number }
  | { type: 'fin'; connectionId: number; direction: Direction; offset: number; timestamp: bigint }
  | { type: 'close'; connectionId: number; reason: 'fin' | 'rst'; by: Direction; timestamp: bigint };

export interface TcpReassemblyOptions {
  /** Out-of-order bytes held per direction before a gap is declared (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Out-of-order segments held per direction (default 4096). */
  maxBufferedSegments?: number;
  /** Capture time a hole may stay open while the data after it waits (default 10 s). */
  gapTimeoutNs?: bigint;
  /** Recently delivered bytes kept per direction to check retransmissions for conflicts (default 16 KiB). */
  historyBytes?: number;
  /** Ports that identify the server of a connection seen mid-stream (rule 3). */
  isServerPort?: (port: number) => boolean;
  /** How long a closed connection is remembered, so its last ACKs are not taken for a new one (default 60 s). */
  closedLingerNs?: bigint;
}

interface Piece {
  offset: number;
  bytes: Uint8Array;
  timestamp: bigint;
  packet?: number;
}

/** One direction of a connection. */
class HalfStream {
  initialized = false;
  /** Raw sequence number of the byte at nextOffset. */
  nextSeq = 0;
  nextOffset = 0;
  /** Raw sequence number of stream offset 0. */
  initialSeq = 0;
  /** Held out-of-order pieces: sorted, disjoint, all after nextOffset. */
  pending: Piece[] = [];
  pendingBytes = 0;
  finOffset = -1;
  finDone = false;
  /** Ring of the last delivered bytes: byte at stream offset o sits at history[o % history.length]. */
  history: Uint8Array | undefined;

  constructor(readonly direction: Direction) {}

  init(seq: number): void {
    this.initialized = true;
    this.nextSeq = this.initialSeq = seq >>> 0;
    this.nextOffset = 0;
  }

  /** Stream offset of a raw sequence number: the nearest one, modulo 2^32, to what is expected next. */
  offsetOf(seq: number): number {
    return this.nextOffset + ((seq - this.nextSeq) | 0);
  }
}

class Connection {
  readonly c2s = new HalfStream('c2s');
  readonly s2c = new HalfStream('s2c');
  closed = false;
  closedAt = 0n;
  lastSeen = 0n;
  firstFin: Direction | undefined;

  constructor(readonly info: TcpConnection) {}

  half(direction: Direction): HalfStream {
    return direction === 'c2s' ? this.c2s : this.s2c;
  }
}

const SWEEP_EVERY = 4096;
/** Memoised connection keys kept before the memo starts over. */
const MAX_KEYS = 1 << 17;

export class TcpReassembler {
  private readonly connections = new Map<string, Connection>();
  private nextId = 1;
  private sinceSweep = 0;
  private readonly maxBufferedBytes: number;
  private readonly maxBufferedSegments: number;
  private readonly gapTimeoutNs: bigint;
  private readonly historyBytes: number;
  private readonly closedLingerNs: bigint;
  private readonly isServerPort: (port: number) => boolean;

  constructor(options: TcpReassemblyOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.maxBufferedSegments = options.maxBufferedSegments ?? 4096;
    this.gapTimeoutNs = options.gapTimeoutNs ?? 10_000_000_000n;
    this.historyBytes = options.historyBytes ?? 16 * 1024;
    this.closedLingerNs = options.closedLingerNs ?? 60_000_000_000n;
    this.isServerPort = options.isServerPort ?? (() => false);
  }

  /** Connections currently tracked (open, or closed within the linger time). */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Feeds one segment, in capture order. Events are appended to `out` (returned). `packet` is the caller's packet
   * number, copied into the data and overlap events it causes.
   */
  push(segment: TcpSegment, timestamp: bigint, packet?: number, out: ReassemblyEvent[] = []): ReassemblyEvent[] {
    // Sweeping visits every connection, so it runs at most once per as many packets: O(1) per packet on average.
    if (++this.sinceSweep >= Math.max(SWEEP_EVERY, this.connections.size)) {
      this.sinceSweep = 0;
      this.sweep(timestamp, out);
    }
    const key = this.keyOf(segment);
    const flags = segment.flags;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const ackFlag = (flags & TcpFlag.ACK) !== 0;
    let conn = this.connections.get(key);

    if (conn && syn) {
      // A SYN whose sequence number does not start the stream we know is a new connection on the same 4-tuple
      // (a reused port); the same SYN again, or one captured after its first data, is not.
      const half = conn.half(this.directionOf(conn, segment));
      const reused = conn.closed ? !ackFlag : half.initialized && ((segment.seq + 1) >>> 0) !== half.initialSeq;
      if (reused) {
        if (!conn.closed) this.flushConnection(conn, 'end', timestamp, out);
        conn = undefined;
      }
    }
    if (!conn) {
      if (!syn && this.connections.has(key)) return out; // a straggler of a closed connection
      conn = this.open(key, segment, timestamp, out);
    }
    if (conn.closed) return out;
    conn.lastSeen = timestamp;

    const direction = this.directionOf(conn, segment);
    const half = conn.half(direction);
    const peer = conn.half(direction === 'c2s' ? 's2c' : 'c2s');

    if ((flags & TcpFlag.RST) !== 0) {
      this.flushConnection(conn, 'rst', timestamp, out);
      if (!conn.closed) this.close(conn, 'rst', direction, timestamp, out);
      return out;
    }

    if (syn) {
      if (!half.initialized) half.init(segment.seq + 1);
      // A SYN+ACK names the client's initial sequence number even when its SYN was not captured.
      if (ackFlag && !peer.initialized) peer.init(segment.ack);
    } else if (!half.initialized) {
      half.init(segment.seq);
    }

    const dataSeq = syn ? (segment.seq + 1) >>> 0 : segment.seq;
    const payload = segment.payload;
    if (payload.length > 0) this.receive(conn, half, half.offsetOf(dataSeq), payload, timestamp, packet, out);

    if ((flags & TcpFlag.FIN) !== 0 && half.finOffset < 0) {
      half.finOffset = half.offsetOf((dataSeq + payload.length) >>> 0);
      if (half.finOffset < half.nextOffset) half.finOffset = half.nextOffset; // a FIN behind delivered data: take it as now
      this.trimPastFin(half);
      this.drain(conn, half, timestamp, out);
    }

    if (ackFlag && peer.initialized && !conn.closed) {
      const acked = peer.offsetOf(segment.ack);
      // Bytes the peer acknowledged but we never saw will not be sent again: skip them.
      if (acked > peer.nextOffset) {
        const limit = peer.finOffset >= 0 ? Math.min(acked, peer.finOffset) : acked;
        this.resolveHoles(conn, peer, limit, 'acked-unseen', timestamp, out);
      }
    }

    if (!conn.closed) {
      this.checkTimeout(conn, conn.c2s, timestamp, out);
      this.checkTimeout(conn, conn.s2c, timestamp, out);
    }
    return out;
  }

  /**
   * The connection's key, the same for both directions: `addr/port addr/port`, the smaller endpoint first. It is a
   * pure function of the 4-tuple, memoised by address strings (the capture reader hands out the same string for the
   * same address) and ports, so the common packet builds no string.
   */
  private keyOf(segment: TcpSegment): string {
    let bySrc = this.keys.get(segment.src);
    if (!bySrc) { if (this.keyCount > MAX_KEYS) { this.keys.clear(); this.keyCount = 0; } bySrc = new Map(); this.keys.set(segment.src, bySrc); }
    let byDst = bySrc.get(segment.dst);
    if (!byDst) { byDst = new Map(); bySrc.set(segment.dst, byDst); }
    const ports = segment.srcPort * 65536 + segment.dstPort;
    let key = byDst.get(ports);
    if (key === undefined) {
      const a = `${segment.src}/${segment.srcPort}`;
      const b = `${segment.dst}/${segment.dstPort}`;
      key = a < b ? `${a} ${b}` : `${b} ${a}`;
      byDst.set(ports, key);
      this.keyCount++;
    }
    return key;
  }

  private readonly keys = new Map<string, Map<string, Map<number, string>>>();
  private keyCount = 0;

  /**
   * Gives up on holes that have waited `gapTimeoutNs` at capture time `now`, and forgets connections closed longer
   * ago than the linger time. `push` does this by itself every few thousand packets; a live capture can call it on a
   * timer so idle connections still deliver held data.
   */
  expire(now: bigint, out: ReassemblyEvent[] = []): ReassemblyEvent[] {
    this.sweep(now, out);
    return out;
  }

  /** The capture is over: every hole becomes a gap and all held data is delivered. Open connections stay open. */
  end(timestamp?: bigint, out: ReassemblyEvent[] = []): ReassemblyEvent[] {
    for (const conn of this.connections.values()) {
      if (!conn.closed) this.flushConnection(conn, 'end', timestamp ?? conn.lastSeen, out);
    }
    return out;
  }

  private sweep(now: bigint, out: ReassemblyEvent[]): void {
    for (const [key, conn] of this.connections) {
      if (conn.closed) {
        if (now - conn.closedAt > this.closedLingerNs) this.connections.delete(key);
        continue;
      }
      this.checkTimeout(conn, conn.c2s, now, out);
      this.checkTimeout(conn, conn.s2c, now, out);
    }
  }

  private open(key: string, s: TcpSegment, timestamp: bigint, out: ReassemblyEvent[]): Connection {
    const src = { ip: s.src, port: s.srcPort };
    const dst = { ip: s.dst, port: s.dstPort };
    const syn = (s.flags & TcpFlag.SYN) !== 0;
    const ack = (s.flags & TcpFlag.ACK) !== 0;
    let start: TcpConnection['start'] = 'midstream';
    let senderIsClient: boolean;
    if (syn && !ack) { start = 'syn'; senderIsClient = true; }
    else if (syn && ack) { start = 'syn-ack'; senderIsClient = false; }
    else {
      const srcServer = this.isServerPort(s.srcPort);
      const dstServer = this.isServerPort(s.dstPort);
      if (srcServer !== dstServer) senderIsClient = dstServer;
      else if (s.srcPort !== s.dstPort) senderIsClient = s.srcPort > s.dstPort;
      else senderIsClient = true;
    }
    const info: TcpConnection = {
      id: this.nextId++,
      ipVersion: s.ipVersion,
      client: senderIsClient ? src : dst,
      server: senderIsClient ? dst : src,
      start,
    };
    const conn = new Connection(info);
    this.connections.set(key, conn);
    out.push({ type: 'open', connection: info, timestamp });
    return conn;
  }

  private directionOf(conn: Connection, s: TcpSegment): Direction {
    const c = conn.info.client;
    return s.srcPort === c.port && s.src === c.ip ? 'c2s' : 's2c';
  }

  /** Takes a segment's payload at a stream offset: deliver it, hold it, or drop what was already had. */
  private receive(conn: Connection, half: HalfStream, offset: number, bytes: Uint8Array, timestamp: bigint, packet: number | undefined, out: ReassemblyEvent[]): void {
    let end = offset + bytes.length;
    if (half.finOffset >= 0 && end > half.finOffset) {
      if (offset >= half.finOffset) return; // nothing is sent after a FIN
      bytes = bytes.subarray(0, half.finOffset - offset);
      end = half.finOffset;
    }
    if (offset < half.nextOffset) {
      this.compareWithHistory(conn, half, offset, bytes, timestamp, packet, out);
      if (end <= half.nextOffset) return; // a retransmission of delivered bytes
      bytes = bytes.subarray(half.nextOffset - offset);
      offset = half.nextOffset;
    }
    if (offset === half.nextOffset && half.pending.length === 0) {
      this.deliverBytes(conn, half, offset, bytes, timestamp, packet, out); // the common case: in order, nothing held
      if (half.finOffset >= 0) this.drain(conn, half, timestamp, out);
      return;
    }
    this.hold(conn, half, offset, bytes, timestamp, packet, out);
    this.drain(conn, half, timestamp, out);
    while (half.pending.length > 0 && (half.pendingBytes > this.maxBufferedBytes || half.pending.length > this.maxBufferedSegments)) {
      this.skipTo(conn, half, half.pending[0].offset, 'buffer-full', timestamp, out);
    }
  }

  /** Inserts the parts of [offset, offset+len) not already held; held bytes win and are compared with the new copy. */
  private hold(conn: Connection, half: HalfStream, offset: number, bytes: Uint8Array, timestamp: bigint, packet: number | undefined, out: ReassemblyEvent[]): void {
    const pending = half.pending;
    const end = offset + bytes.length;
    // First held piece that ends after `offset`.
    let lo = 0;
    let hi = pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = pending[mid];
      if (p.offset + p.bytes.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    let cursor = offset;
    while (cursor < end) {
      const p = pending[i];
      if (!p || p.offset >= end) {
        this.insertPiece(half, i, cursor, bytes.slice(cursor - offset), timestamp, packet);
        break;
      }
      if (p.offset > cursor) {
        this.insertPiece(half, i, cursor, bytes.slice(cursor - offset, p.offset - offset), timestamp, packet);
        i++;
        cursor = p.offset;
      }
      const overlapEnd = Math.min(end, p.offset + p.bytes.length);
      if (!sameBytes(p.bytes, cursor - p.offset, bytes, cursor - offset, overlapEnd - cursor)) {
        out.push({ type: 'overlap', connectionId: conn.info.id, direction: half.direction, offset: cursor, length: overlapEnd - cursor, timestamp, packet });
      }
      cursor = overlapEnd;
      i++;
    }
  }

  private insertPiece(half: HalfStream, index: number, offset: number, bytes: Uint8Array, timestamp: bigint, packet: number | undefined): void {
    // Held bytes are copies: a view would keep the whole file chunk it came from alive.
    half.pending.splice(index, 0, { offset, bytes, timestamp, packet });
    half.pendingBytes += bytes.length;
  }

  /** Delivers held pieces that now continue the stream, then a FIN that has become due. */
  private drain(conn: Connection, half: HalfStream, timestamp: bigint, out: ReassemblyEvent[]): void {
    const pending = half.pending;
    while (pending.length > 0 && pending[0].offset === half.nextOffset) {
      const piece = pending.shift()!;
      half.pendingBytes -= piece.bytes.length;
      this.deliver(conn, half, piece, out);
    }
    if (half.finOffset >= 0 && !half.finDone && half.nextOffset === half.finOffset) {
      half.finDone = true;
      out.push({ type: 'fin', connectionId: conn.info.id, direction: half.direction, offset: half.finOffset, timestamp });
      if (!conn.firstFin) conn.firstFin = half.direction;
      if (conn.c2s.finDone && conn.s2c.finDone) this.close(conn, 'fin', conn.firstFin, timestamp, out);
    }
  }

  private deliver(conn: Connection, half: HalfStream, piece: Piece, out: ReassemblyEvent[]): void {
    this.deliverBytes(conn, half, piece.offset, piece.bytes, piece.timestamp, piece.packet, out);
  }

  private deliverBytes(conn: Connection, half: HalfStream, offset: number, bytes: Uint8Array, timestamp: bigint, packet: number | undefined, out: ReassemblyEvent[]): void {
    const n = bytes.length;
    out.push({ type: 'data', connectionId: conn.info.id, direction: half.direction, offset, bytes, timestamp, packet });
    this.remember(half, bytes);
    half.nextOffset += n;
    half.nextSeq = (half.nextSeq + n) >>> 0;
  }

  /** Declares [nextOffset, target) lost, then delivers whatever follows. */
  private skipTo(conn: Connection, half: HalfStream, target: number, reason: GapReason, timestamp: bigint, out: ReassemblyEvent[]): void {
    const length = target - half.nextOffset;
    if (length <= 0) return;
    out.push({ type: 'gap', connectionId: conn.info.id, direction: half.direction, offset: half.nextOffset, length, timestamp, reason });
    half.nextOffset = target;
    half.nextSeq = (half.nextSeq + length) >>> 0;
    this.drain(conn, half, timestamp, out);
  }

  /** Skips every hole below `limit` (data held inside the range is delivered in between). */
  private resolveHoles(conn: Connection, half: HalfStream, limit: number, reason: GapReason, timestamp: bigint, out: ReassemblyEvent[]): void {
    while (half.nextOffset < limit && !conn.closed) {
      const next = half.pending[0];
      this.skipTo(conn, half, next && next.offset < limit ? next.offset : limit, reason, timestamp, out);
    }
  }

  private checkTimeout(conn: Connection, half: HalfStream, now: bigint, out: ReassemblyEvent[]): void {
    // The piece right after the hole stands for the hole's age: O(1) per packet, and pieces mostly arrive in order.
    while (!conn.closed && half.pending.length > 0 && now - half.pending[0].timestamp > this.gapTimeoutNs) {
      this.skipTo(conn, half, half.pending[0].offset, 'timeout', now, out);
    }
  }

  /** Gives up every hole of both directions and delivers all held data, up to each FIN. */
  private flushConnection(conn: Connection, reason: GapReason, timestamp: bigint, out: ReassemblyEvent[]): void {
    for (const half of [conn.c2s, conn.s2c]) {
      while (!conn.closed && half.pending.length > 0) this.skipTo(conn, half, half.pending[0].offset, reason, timestamp, out);
      if (!conn.closed && half.finOffset > half.nextOffset) this.skipTo(conn, half, half.finOffset, reason, timestamp, out);
    }
  }

  private close(conn: Connection, reason: 'fin' | 'rst', by: Direction, timestamp: bigint, out: ReassemblyEvent[]): void {
    conn.closed = true;
    conn.closedAt = timestamp;
    for (const half of [conn.c2s, conn.s2c]) {
      half.pending = [];
      half.pendingBytes = 0;
      half.history = undefined;
    }
    out.push({ type: 'close', connectionId: conn.info.id, reason, by, timestamp });
  }

  private trimPastFin(half: HalfStream): void {
    const fin = half.finOffset;
    const pending = half.pending;
    while (pending.length > 0) {
      const last = pending[pending.length - 1];
      const lastEnd = last.offset + last.bytes.length;
      if (lastEnd <= fin) break;
      half.pendingBytes -= lastEnd - Math.max(fin, last.offset);
      if (last.offset >= fin) pending.pop();
      else last.bytes = last.bytes.subarray(0, fin - last.offset);
    }
  }

  /** Copies delivered bytes into the direction's history ring (grown as needed, up to historyBytes). */
  private remember(half: HalfStream, bytes: Uint8Array): void {
    if (this.historyBytes <= 0) return;
    let ring = half.history;
    const want = Math.min(this.historyBytes, half.nextOffset + bytes.length);
    if (!ring || ring.length < want) {
      // Grown four-fold from 1 KiB: three allocations to reach 16 KiB, each of which (zero-filled, outside the heap)
      // costs far more than its size suggests.
      let size = ring ? ring.length : 1024;
      while (size < want) size *= 4;
      size = Math.min(size, this.historyBytes);
      const grown = new Uint8Array(size);
      if (ring) {
        // Re-lay the bytes we still have at their new positions, a run at a time (a run ends where either ring wraps).
        for (let o = Math.max(0, half.nextOffset - ring.length); o < half.nextOffset;) {
          const from = o % ring.length;
          const to = o % size;
          const n = Math.min(half.nextOffset - o, ring.length - from, size - to);
          grown.set(ring.subarray(from, from + n), to);
          o += n;
        }
      }
      half.history = ring = grown;
    }
    const size = ring.length;
    const skip = Math.max(0, bytes.length - size); // only the last `size` bytes can matter
    let at = (half.nextOffset + skip) % size;
    if (bytes.length <= 64) {
      // Small payloads (most request/response PDUs): a byte loop beats creating a view per call.
      for (let i = skip; i < bytes.length; i++) { ring[at] = bytes[i]; if (++at === size) at = 0; }
      return;
    }
    if (skip === 0 && at + bytes.length <= size) {
      ring.set(bytes, at); // the usual case: it fits before the ring wraps, no view needed
      return;
    }
    let from = skip;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, size - at);
      ring.set(bytes.subarray(from, from + n), at);
      from += n;
      at = 0;
    }
  }

  /** Reports a conflict between a retransmission and what was delivered, as far as the history reaches back. */
  private compareWithHistory(conn: Connection, half: HalfStream, offset: number, bytes: Uint8Array, timestamp: bigint, packet: number | undefined, out: ReassemblyEvent[]): void {
    const ring = half.history;
    if (!ring) return;
    const from = Math.max(offset, half.nextOffset - ring.length, 0);
    const to = Math.min(offset + bytes.length, half.nextOffset);
    let conflictStart = -1;
    let conflictEnd = -1;
    for (let o = from; o < to; o++) {
      if (ring[o % ring.length] !== bytes[o - offset]) {
        if (conflictStart < 0) conflictStart = o;
        conflictEnd = o + 1;
      }
    }
    if (conflictStart >= 0) {
      out.push({ type: 'overlap', connectionId: conn.info.id, direction: half.direction, offset: conflictStart, length: conflictEnd - conflictStart, timestamp, packet });
    }
  }
}

function sameBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

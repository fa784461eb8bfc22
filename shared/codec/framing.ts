/**
 * Cutting a TCP byte stream into PDUs. Generic framers (length-prefixed, delimited) plus the stream deframer that
 * copes with real TCP: a PDU split over many chunks, many PDUs in one chunk, PDUs larger than any chunk, garbage
 * or a stream joined mid-way (resynchronise on the next plausible header and report the skipped bytes), and a
 * maximum PDU size so a bogus 2 GB length allocates nothing.
 */
import type { IntType } from './schema';
import { INVALID, NEED_MORE, type Framer } from './protocol';

export const DEFAULT_MAX_PDU = 16 * 1024 * 1024;
/** Largest PDU the stream deframer allocates whole as soon as its header tells its size. */
const GATHER_MAX = 4 * 1024 * 1024;

export interface LengthPrefixedSpec {
  /** Bytes needed before the total size is known. */
  headerSize: number;
  lengthAt: number;
  lengthType: IntType;
  /** Total PDU size from the length field's value (and the header, for framings that need more). */
  total(length: number, buf: Uint8Array, off: number): number;
  /** Plausibility of the first `avail` bytes (may be fewer than headerSize). */
  check?(buf: Uint8Array, off: number, avail: number): boolean;
  maxPdu?: number;
  /** Smallest valid PDU. Defaults to headerSize. */
  minPdu?: number;
}

export function lengthPrefixedFramer(spec: LengthPrefixedSpec): Framer {
  const max = spec.maxPdu ?? DEFAULT_MAX_PDU;
  const min = spec.minPdu ?? spec.headerSize;
  return {
    frame(buf, off, end) {
      const avail = end - off;
      if (spec.check && !spec.check(buf, off, avail)) return INVALID;
      if (avail < spec.headerSize) return NEED_MORE;
      const length = peekInt(buf, off + spec.lengthAt, spec.lengthType);
      const total = spec.total(length, buf, off);
      if (!Number.isFinite(total) || total < min || total > max) return INVALID;
      return avail < total ? NEED_MORE : total;
    },
    size(buf, off, end) {
      // Only without a check: a check may look at more bytes as they come.
      if (spec.check || end - off < spec.headerSize) return NEED_MORE;
      const total = spec.total(peekInt(buf, off + spec.lengthAt, spec.lengthType), buf, off);
      return Number.isFinite(total) && total >= min && total <= max ? total : INVALID;
    },
  };
}

/** PDUs that end with a delimiter (included in the PDU), e.g. newline-delimited text. */
export function delimitedFramer(delimiter: Uint8Array, maxPdu = DEFAULT_MAX_PDU, check?: (buf: Uint8Array, off: number, avail: number) => boolean): Framer {
  return {
    frame(buf, off, end) {
      if (check && !check(buf, off, end - off)) return INVALID;
      const at = indexOf(buf, delimiter, off, Math.min(end, off + maxPdu));
      if (at < 0) return end - off >= maxPdu ? INVALID : NEED_MORE;
      return at - off + delimiter.length;
    },
  };
}

export function indexOf(buf: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const n = needle.length;
  if (n === 0) return -1;
  const first = needle[0];
  let i = from < 0 ? Math.max(0, buf.length + from) : from;
  // The first 256 positions with a plain loop: header blocks and chunk-size lines are short, and the native search
  // costs a call per candidate (every CR of a header block when looking for CRLFCRLF).
  const near = Math.min(end - n, i + 255);
  outer: for (; i <= near; i++) {
    if (buf[i] !== first) continue;
    for (let j = 1; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  if (i + n > end) return -1;
  outer: for (i = buf.indexOf(first, i); i >= 0 && i + n <= end; i = buf.indexOf(first, i + 1)) {
    for (let j = 1; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export interface DeframedPdu {
  /** Offset of the first byte in the direction's stream. */
  offset: number;
  /** The PDU bytes: a view of the pushed chunk or a fresh copy; the deframer never writes to it again. */
  bytes: Uint8Array;
  /** Bytes that start no plausible PDU (garbage, or a stream picked up mid-way). */
  skipped?: boolean;
}

/**
 * Buffers one direction of a connection and cuts it into PDUs with a protocol's framer. Bytes that frame nothing
 * are reported as `skipped` after the deframer has found the next plausible header.
 */
export class StreamDeframer {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Stream offset of buf[start]. */
  private consumed = 0;
  /**
   * A PDU spanning chunks whose size the framer told (Framer.size): gathered here, then handed out as it is, one copy
   * per byte where growing the shared buffer and cutting the PDU out of it takes two (with 64 KiB PDUs in 64 KiB
   * reads, that is nearly every byte).
   */
  private gathering: Uint8Array | undefined;
  private gathered = 0;

  constructor(private readonly framer: Framer) {}

  get buffered(): number {
    return this.end - this.start + this.gathered;
  }

  get streamOffset(): number {
    return this.consumed;
  }

  push(chunk: Uint8Array, out: DeframedPdu[] = []): DeframedPdu[] {
    if (this.gathering) chunk = this.gather(chunk, out);
    if (chunk.length === 0) return out;
    if (this.end === this.start) {
      // Nothing pending: cut straight from the chunk, copy only the incomplete tail.
      const used = this.cut(chunk, 0, chunk.length, out, chunk, 0);
      this.consumed += used;
      if (used < chunk.length && !this.startGathering(chunk.subarray(used))) this.store(chunk.subarray(used));
      return out;
    }
    this.append(chunk);
    const used = this.cut(this.buf, this.start, this.end, out, chunk, this.end - chunk.length);
    this.start += used;
    this.consumed += used;
    if (this.start < this.end && this.startGathering(this.buf.subarray(this.start, this.end))) this.start = this.end;
    if (this.start === this.end) { this.start = this.end = 0; if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0); }
    return out;
  }

  /**
   * Starts gathering an incomplete PDU into a buffer of its size, if the framer can tell the size yet. Not beyond
   * GATHER_MAX: a header announcing more (maybe garbage that looks like one) gets memory only as its bytes come.
   */
  private startGathering(partial: Uint8Array): boolean {
    const size = this.framer.size?.(partial, 0, partial.length) ?? NEED_MORE;
    if (size <= partial.length || size > GATHER_MAX) return false;
    this.gathering = new Uint8Array(size);
    this.gathering.set(partial);
    this.gathered = partial.length;
    return true;
  }

  /**
   * Adds the chunk's first bytes to the PDU being gathered; returns what of the chunk is left after it. The gathered
   * bytes are framed after every chunk, as they would be in the shared buffer, so a wrong size changes nothing.
   */
  private gather(chunk: Uint8Array, out: DeframedPdu[]): Uint8Array {
    const pdu = this.gathering!;
    const n = Math.min(chunk.length, pdu.length - this.gathered);
    pdu.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.gathered);
    this.gathered += n;
    const framed = this.framer.frame(pdu, 0, this.gathered);
    if (framed === NEED_MORE && this.gathered < pdu.length) return chunk.subarray(n);
    const gathered = this.gathered;
    this.gathering = undefined;
    this.gathered = 0;
    if (framed === pdu.length) {
      out.push({ offset: this.consumed, bytes: pdu });
      this.framer.commit?.(pdu);
      this.consumed += pdu.length;
    } else {
      // The size was wrong after all: the bytes go the ordinary way, from the shared buffer.
      this.store(pdu.subarray(0, gathered));
      const used = this.cut(this.buf, 0, this.end, out, pdu, this.end);
      this.start += used;
      this.consumed += used;
    }
    return chunk.subarray(n);
  }

  /**
   * End of stream: a PDU that ends with the stream (an HTTP body read until close) is returned; whatever else is
   * left is the remainder, a partial PDU.
   */
  finish(out: DeframedPdu[] = []): { pdus: DeframedPdu[]; remainder: Uint8Array } {
    if (this.gathering) {
      // Cut short by the end of the stream: what was gathered is pending like any other incomplete PDU.
      const partial = this.gathering.subarray(0, this.gathered);
      this.gathering = undefined;
      this.gathered = 0;
      this.store(partial);
    }
    let off = this.start;
    if (this.framer.atEof && off < this.end) {
      const n = this.framer.atEof(this.buf, off, this.end);
      if (n > 0) {
        const bytes = this.buf.slice(off, off + n);
        out.push({ offset: this.consumed, bytes });
        this.framer.commit?.(bytes);
        this.consumed += n;
        off += n;
      }
    }
    const remainder = this.buf.slice(off, this.end);
    this.start = this.end = 0;
    return { pdus: out, remainder };
  }

  private store(tail: Uint8Array): void {
    if (this.buf.length < tail.length) this.buf = new Uint8Array(Math.max(tail.length, 4096));
    this.buf.set(tail, 0);
    this.start = 0;
    this.end = tail.length;
  }

  private append(chunk: Uint8Array): void {
    const pending = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (pending + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let size = Math.max(4096, this.buf.length);
        while (size < pending + chunk.length) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * Cuts PDUs from buf[from..to), where buf[chunkAt..to) holds the pushed chunk; returns how many bytes were used.
   * A PDU that starts in the chunk is a view of it; one that starts before it (in the reused buffer) is copied.
   * Copying every PDU once a chunk boundary left a partial one pending cost an allocation per frame.
   */
  private cut(buf: Uint8Array, from: number, to: number, out: DeframedPdu[], chunk: Uint8Array, chunkAt: number): number {
    let off = from;
    const base = this.consumed - from;
    while (off < to) {
      const n = this.framer.frame(buf, off, to);
      if (n > 0) {
        const bytes = off >= chunkAt ? chunk.subarray(off - chunkAt, off - chunkAt + n) : buf.slice(off, off + n);
        out.push({ offset: base + off, bytes });
        this.framer.commit?.(bytes);
        off += n;
        continue;
      }
      if (n === NEED_MORE) break;
      // INVALID: skip to the next position where a PDU could start.
      let next = off + 1;
      while (next < to && !this.plausible(buf, next, to)) next++;
      out.push({ offset: base + off, bytes: buf.slice(off, next), skipped: true });
      off = next;
    }
    return off - from;
  }

  private plausible(buf: Uint8Array, off: number, end: number): boolean {
    if (this.framer.plausible) return this.framer.plausible(buf, off, end);
    return this.framer.frame(buf, off, end) !== INVALID;
  }
}

/** Cuts a complete byte string (one direction of a connection) into PDUs: what `framescope decode` does. */
export function deframeAll(framer: Framer, data: Uint8Array): { pdus: DeframedPdu[]; remainder: Uint8Array } {
  const d = new StreamDeframer(framer);
  const pdus = d.push(data);
  return d.finish(pdus);
}

/**
 * Reads an integer straight from a buffer known to hold it (framing's hot path: no Reader, no DataView).
 * 64-bit values come back as a (possibly imprecise) number, which is enough for size checks.
 */
export function peekInt(b: Uint8Array, at: number, type: IntType): number {
  switch (type) {
    case 'u1': return b[at];
    case 's1': return (b[at] << 24) >> 24;
    case 'u2be': return (b[at] << 8) | b[at + 1];
    case 'u2le': return b[at] | (b[at + 1] << 8);
    case 's2be': return (((b[at] << 8) | b[at + 1]) << 16) >> 16;
    case 's2le': return ((b[at] | (b[at + 1] << 8)) << 16) >> 16;
    case 'u4be': return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
    case 'u4le': return ((b[at + 3] << 24) | (b[at + 2] << 16) | (b[at + 1] << 8) | b[at]) >>> 0;
    case 's4be': return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
    case 's4le': return (b[at + 3] << 24) | (b[at + 2] << 16) | (b[at + 1] << 8) | b[at];
    case 'u8be': case 's8be': return peekInt(b, at, type === 'u8be' ? 'u4be' : 's4be') * 2 ** 32 + peekInt(b, at + 4, 'u4be');
    case 'u8le': case 's8le': return peekInt(b, at + 4, type === 'u8le' ? 'u4le' : 's4le') * 2 ** 32 + peekInt(b, at, 'u4le');
  }
}

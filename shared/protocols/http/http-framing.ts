/**
 * HTTP/1.1 message framing (RFC 9112 §6): a header block up to the first CRLFCRLF, then a body delimited by
 * Content-Length, by the chunked transfer coding, or (responses only) by the end of the connection. Works on raw
 * bytes without building strings for the common case, because it runs for every chunk the proxy forwards.
 */
import { latin1Text } from '../../codec/bytes';
import { DEFAULT_MAX_PDU, indexOf } from '../../codec/framing';
import { INVALID, NEED_MORE, type Direction, type Framer, type FramerOptions } from '../../codec/protocol';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
export const CRLF = Uint8Array.of(CR, LF);
export const CRLFCRLF = Uint8Array.of(CR, LF, CR, LF);
const HTTP1 = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e]; // "HTTP/1."

/** Longest method token accepted when framing (the longest registered method is 17 characters). */
const MAX_METHOD = 20;

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isUpper = (b: number): boolean => b >= 0x41 && b <= 0x5a;
/** Request-target bytes: visible ASCII, plus raw UTF-8 some clients send unencoded. */
const isTargetByte = (b: number): boolean => (b > SP && b < 0x7f) || b >= 0x80;

/** Matches `HTTP/1.<digit>` at `at`; 1 = match, 0 = compatible prefix (buffer ends), −1 = mismatch. */
function matchVersion(buf: Uint8Array, at: number, end: number): number {
  for (let k = 0; k < HTTP1.length; k++) {
    if (at + k >= end) return 0;
    if (buf[at + k] !== HTTP1[k]) return -1;
  }
  if (at + 7 >= end) return 0;
  return isDigit(buf[at + 7]) ? 1 : -1;
}

/** `scanRequestLine`/`scanStatusLine`: a valid prefix whose line is not complete yet. */
export const LINE_INCOMPLETE = -1;
/** Not a start line. */
export const LINE_BAD = -2;

/**
 * Scans a request line (`METHOD SP target SP HTTP/1.x CRLF`) at `off`: the offset of its CR when complete and
 * valid, LINE_INCOMPLETE when valid so far, LINE_BAD otherwise.
 */
export function scanRequestLine(buf: Uint8Array, off: number, end: number): number {
  let i = off;
  while (i < end && i - off <= MAX_METHOD && isUpper(buf[i])) i++;
  if (i >= end) return i - off <= MAX_METHOD ? LINE_INCOMPLETE : LINE_BAD;
  if (i === off || buf[i] !== SP) return LINE_BAD;
  const targetStart = ++i;
  while (i < end && isTargetByte(buf[i])) i++;
  if (i >= end) return LINE_INCOMPLETE;
  if (i === targetStart || buf[i] !== SP) return LINE_BAD;
  const v = matchVersion(buf, i + 1, end);
  if (v <= 0) return v === 0 ? LINE_INCOMPLETE : LINE_BAD;
  i += 9;
  return lineEnd(buf, i, end);
}

/** Same for a status line (`HTTP/1.x SP 3DIGIT [SP reason] CRLF`); the reason is checked only for CR/LF. */
export function scanStatusLine(buf: Uint8Array, off: number, end: number): number {
  const v = matchVersion(buf, off, end);
  if (v <= 0) return v === 0 ? LINE_INCOMPLETE : LINE_BAD;
  let i = off + 8;
  if (i >= end) return LINE_INCOMPLETE;
  if (buf[i] !== SP) return LINE_BAD;
  for (let k = 1; k <= 3; k++) {
    if (i + k >= end) return LINE_INCOMPLETE;
    if (!isDigit(buf[i + k])) return LINE_BAD;
  }
  i += 4;
  if (i >= end) return LINE_INCOMPLETE;
  if (buf[i] === CR) return lineEnd(buf, i, end);
  if (buf[i] !== SP) return LINE_BAD;
  for (i++; i < end; i++) {
    if (buf[i] === LF) return LINE_BAD;
    if (buf[i] === CR) return lineEnd(buf, i, end);
  }
  return LINE_INCOMPLETE;
}

/** `i` must be a CR followed by LF. */
function lineEnd(buf: Uint8Array, i: number, end: number): number {
  if (i >= end) return LINE_INCOMPLETE;
  if (buf[i] !== CR) return LINE_BAD;
  if (i + 1 >= end) return LINE_INCOMPLETE;
  return buf[i + 1] === LF ? i : LINE_BAD;
}

/** 1 = a complete valid request line at `off`, 0 = valid so far but incomplete, −1 = not a request line. */
export function requestLineState(buf: Uint8Array, off: number, end: number): number {
  return lineState(scanRequestLine(buf, off, end));
}

/** Same for a status line. */
export function statusLineState(buf: Uint8Array, off: number, end: number): number {
  return lineState(scanStatusLine(buf, off, end));
}

function lineState(scan: number): number {
  return scan >= 0 ? 1 : scan === LINE_INCOMPLETE ? 0 : -1;
}

/** How the body of one message is delimited. */
export type BodyMode =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' }
  /** Content-Length present but unusable (not a number, conflicting copies): the message ends with its header. */
  | { kind: 'bad-length'; text: string };

export interface HeaderFacts {
  /** Content-Length values as sent (trimmed), in order. */
  contentLength: string[];
  /** Transfer-Encoding values (trimmed), in order. */
  transferEncoding: string[];
}

const CONTENT_LENGTH = Uint8Array.from('content-length:', (c) => c.charCodeAt(0));
const TRANSFER_ENCODING = Uint8Array.from('transfer-encoding:', (c) => c.charCodeAt(0));

/** Reads the two framing headers from the header lines `buf[from..to)` (`to` = the CRLF ending the last line). */
export function headerFacts(buf: Uint8Array, from: number, to: number): HeaderFacts {
  const facts: HeaderFacts = { contentLength: [], transferEncoding: [] };
  let at = from;
  while (at < to) {
    let eol = indexOf(buf, CRLF, at, to + 2);
    if (eol < 0 || eol > to) eol = to;
    if (nameIs(buf, at, eol, CONTENT_LENGTH)) facts.contentLength.push(valueOf(buf, at + CONTENT_LENGTH.length, eol));
    else if (nameIs(buf, at, eol, TRANSFER_ENCODING)) facts.transferEncoding.push(valueOf(buf, at + TRANSFER_ENCODING.length, eol));
    at = eol + 2;
  }
  return facts;
}

/**
 * The first CRLFCRLF at or after the start line's CRLF (at `lineEnd`) that ends before `limit`, or −1; the framing
 * headers of the lines before it go into `facts`. One walk from CRLF to CRLF does what a search for CRLFCRLF and
 * headerFacts did in two passes: the first CRLFCRLF is the first CRLF that another follows at once.
 */
function headerEnd(buf: Uint8Array, lineEnd: number, limit: number, facts: HeaderFacts): number {
  let c = lineEnd;
  while (c + 4 <= limit) {
    const at = c + 2;
    if (buf[at] === CR && buf[at + 1] === LF) return c;
    const eol = indexOf(buf, CRLF, at, limit);
    if (eol < 0) return -1;
    if (nameIs(buf, at, eol, CONTENT_LENGTH)) facts.contentLength.push(valueOf(buf, at + CONTENT_LENGTH.length, eol));
    else if (nameIs(buf, at, eol, TRANSFER_ENCODING)) facts.transferEncoding.push(valueOf(buf, at + TRANSFER_ENCODING.length, eol));
    c = eol;
  }
  return -1;
}

/** Whether the line starts with `name:` (lower-case pattern, letters compared case-insensitively). */
function nameIs(buf: Uint8Array, at: number, eol: number, name: Uint8Array): boolean {
  if (eol - at < name.length) return false;
  for (let k = 0; k < name.length; k++) {
    const c = name[k];
    const b = buf[at + k];
    if (b !== c && !(c >= 0x61 && c <= 0x7a && b === c - 0x20)) return false;
  }
  return true;
}

function valueOf(buf: Uint8Array, from: number, to: number): string {
  while (from < to && (buf[from] === SP || buf[from] === HT)) from++;
  while (to > from && (buf[to - 1] === SP || buf[to - 1] === HT)) to--;
  let s = '';
  for (let k = from; k < to; k++) s += String.fromCharCode(buf[k]);
  return s;
}

/** Whether the last transfer coding is `chunked` (RFC 9112 §6.3: only then is the body chunked). */
export function isChunked(transferEncoding: readonly string[]): boolean {
  if (transferEncoding.length === 0) return false;
  const codings = transferEncoding.join(',').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return codings[codings.length - 1] === 'chunked';
}

/** A Content-Length usable for framing: every copy the same decimal number. */
export function parseContentLength(values: readonly string[]): number | undefined {
  let n: number | undefined;
  for (const v of values) {
    if (!/^\d{1,15}$/.test(v)) return undefined;
    const k = Number(v);
    if (n !== undefined && n !== k) return undefined;
    n = k;
  }
  return n;
}

export interface BodyModeInput {
  response: boolean;
  status?: number;
  /** The paired request's method, when known (HEAD responses have no body). */
  requestMethod?: string;
  facts: HeaderFacts;
}

/** RFC 9112 §6.3, in order. */
export function bodyMode(m: BodyModeInput): BodyMode {
  if (m.response) {
    const s = m.status ?? 0;
    if ((s >= 100 && s < 200) || s === 204 || s === 304) return { kind: 'none' };
    if (m.requestMethod === 'HEAD') return { kind: 'none' };
    if (m.requestMethod === 'CONNECT' && s >= 200 && s < 300) return { kind: 'none' };
  }
  if (isChunked(m.facts.transferEncoding)) return { kind: 'chunked' };
  if (m.facts.transferEncoding.length > 0) return m.response ? { kind: 'close' } : { kind: 'none' };
  if (m.facts.contentLength.length > 0) {
    const n = parseContentLength(m.facts.contentLength);
    return n === undefined ? { kind: 'bad-length', text: m.facts.contentLength.join(', ') } : { kind: 'length', length: n };
  }
  return m.response ? { kind: 'close' } : { kind: 'none' };
}

/** Status code of a status line known to be valid. */
export function statusOf(buf: Uint8Array, off: number): number {
  return (buf[off + 9] - 0x30) * 100 + (buf[off + 10] - 0x30) * 10 + (buf[off + 11] - 0x30);
}

export interface ChunkLine {
  /** Offset of the size line, of the data, and just after the data's CRLF. */
  lineStart: number;
  lineEnd: number;
  dataStart: number;
  size: number;
}

export type ChunkScan =
  /** `end` = offset just after the final CRLF of the trailer section. */
  | { kind: 'complete'; end: number }
  | { kind: 'need-more' }
  /** `at` = offset of the element that does not parse (the message is cut there). */
  | { kind: 'bad'; at: number; reason: string }
  | { kind: 'too-big' };

/**
 * Walks a chunked body starting at `from` (chunk-size lines, data, the last chunk, trailers) without copying.
 * `onChunk` sees each chunk, the last (size 0) included.
 */
export function scanChunks(buf: Uint8Array, from: number, end: number, limit: number, onChunk?: (c: ChunkLine) => void): ChunkScan {
  let at = from;
  for (;;) {
    const eol = indexOf(buf, CRLF, at, Math.min(end, at + 4096));
    if (eol < 0) {
      if (end - at >= 4096) return { kind: 'bad', at, reason: 'chunk-size line longer than 4096 bytes' };
      return scanPrefixOk(buf, at, end) ? { kind: 'need-more' } : { kind: 'bad', at, reason: 'chunk-size line is not hexadecimal' };
    }
    let i = at;
    let size = 0;
    while (i < eol && hexVal(buf[i]) >= 0 && i - at < 16) size = size * 16 + hexVal(buf[i++]);
    if (i === at || (i < eol && hexVal(buf[i]) >= 0)) return { kind: 'bad', at, reason: i === at ? 'chunk-size line is not hexadecimal' : 'chunk size has more than 16 digits' };
    if (!extensionOk(buf, i, eol)) return { kind: 'bad', at, reason: 'chunk-size line has junk after the size' };
    const dataStart = eol + 2;
    onChunk?.({ lineStart: at, lineEnd: eol, dataStart, size });
    if (size === 0) {
      // Trailer section: header lines, then an empty line.
      let t = dataStart;
      for (;;) {
        const tl = indexOf(buf, CRLF, t, Math.min(end, from + limit));
        if (tl < 0) return end - from >= limit ? { kind: 'too-big' } : { kind: 'need-more' };
        if (tl === t) return { kind: 'complete', end: t + 2 };
        t = tl + 2;
      }
    }
    if (dataStart + size - from > limit) return { kind: 'too-big' };
    if (end < dataStart + size + 2) return { kind: 'need-more' };
    if (buf[dataStart + size] !== CR || buf[dataStart + size + 1] !== LF) return { kind: 'bad', at, reason: 'chunk data is not followed by CRLF' };
    at = dataStart + size + 2;
  }
}

function hexVal(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** After the size: optional whitespace, then nothing or `;extension…` (extension bytes are not checked further). */
function extensionOk(buf: Uint8Array, i: number, eol: number): boolean {
  while (i < eol && (buf[i] === SP || buf[i] === HT)) i++;
  return i === eol || buf[i] === 0x3b;
}

function scanPrefixOk(buf: Uint8Array, at: number, end: number): boolean {
  if (at >= end) return true;
  if (hexVal(buf[at]) < 0) return false;
  return true;
}

export interface Measured {
  /** PDU length, NEED_MORE or INVALID. */
  length: number;
  /** The PDU ends with the connection (a response body without length). */
  untilClose?: boolean;
}

/**
 * Size of the message at `buf[off..end)`. Malformed bodies (bad Content-Length, a chunk that does not parse)
 * cut the message where the damage starts, so the header is still shown (with an error note) and the rest is
 * resynchronised like any garbage.
 */
export function measure(buf: Uint8Array, off: number, end: number, response: boolean, maxPdu: number, requestMethod?: string): Measured {
  const line = response ? scanStatusLine(buf, off, end) : scanRequestLine(buf, off, end);
  if (line === LINE_BAD) return { length: INVALID };
  const avail = end - off;
  const facts: HeaderFacts = { contentLength: [], transferEncoding: [] };
  // An incomplete start line has no CRLF yet, so no end of header block either.
  const hdr = line < 0 ? -1 : headerEnd(buf, line, Math.min(end, off + maxPdu), facts);
  if (hdr < 0) return { length: avail >= maxPdu ? INVALID : NEED_MORE };
  const bodyStart = hdr + 4;
  const mode = bodyMode({ response, status: response ? statusOf(buf, off) : undefined, requestMethod, facts });
  switch (mode.kind) {
    case 'none':
    case 'bad-length':
      return { length: bodyStart - off };
    case 'length': {
      const total = bodyStart - off + mode.length;
      if (total > maxPdu) return { length: INVALID };
      return { length: avail >= total ? total : NEED_MORE };
    }
    case 'chunked': {
      const scan = scanChunks(buf, bodyStart, end, maxPdu - (bodyStart - off));
      switch (scan.kind) {
        case 'complete': return { length: scan.end - off };
        case 'need-more': return { length: NEED_MORE };
        case 'too-big': return { length: INVALID };
        case 'bad': return { length: scan.at - off };
      }
      break;
    }
    case 'close':
      return { length: avail >= maxPdu ? INVALID : NEED_MORE, untilClose: true };
  }
  return { length: INVALID };
}

/** Requests remembered for their responses at most (a server that never answers must not grow the list). */
const MAX_PENDING_REQUESTS = 1024;

/**
 * One direction's framer: requests for c2s, responses for s2c. Every call re-reads the header, which is cheap next
 * to the I/O, and keeps the framer correct when the deframer moves or copies its buffer. With an exchange, the
 * request framer notes each request's method and the response framer frames the next response by it (RFC 9112
 * §6.3: the response to a HEAD has no body), dropping it at a final response (a 1xx but 101 is interim).
 */
export function httpFramer(direction: Direction, opts: FramerOptions = {}): Framer {
  const response = direction === 's2c';
  const maxPdu = opts.maxPdu ?? DEFAULT_MAX_PDU;
  const exchange = opts.exchange;
  const method = (): string | undefined => (response && exchange ? exchange.pending[0] : undefined);
  return {
    frame(buf, off, end) {
      return measure(buf, off, end, response, maxPdu, method()).length;
    },
    commit: exchange && ((pdu) => {
      const pending = exchange.pending;
      if (!response) {
        if (pending.length < MAX_PENDING_REQUESTS) pending.push(latin1Text(pdu, 0, pdu.indexOf(0x20)));
        return;
      }
      const status = statusOf(pdu, 0);
      if (status >= 200 || status === 101) pending.shift();
    }),
    atEof(buf, off, end) {
      const m = measure(buf, off, end, response, maxPdu, method());
      return m.untilClose && m.length === NEED_MORE ? end - off : 0;
    },
    plausible(buf, off, end) {
      return (response ? statusLineState(buf, off, end) : requestLineState(buf, off, end)) >= 0;
    },
  };
}

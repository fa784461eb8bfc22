/**
 * Constants and small byte/text helpers of the Sohu push broker protocol (PROTOCOLS.md §5), shared by the framers,
 * the elements and the fast `peek` path. Everything here works on raw bytes: no trees, no documents.
 */
import { fromUtf8 } from '../../codec/bytes';
import type { JsonValue } from '../../codec/json';

/** `"  V1"`: sent once by the client right after connecting. */
export const MAGIC = Uint8Array.of(0x20, 0x20, 0x56, 0x31);
export const MAGIC_TEXT = '  V1';

export const FRAME_TYPE_NAMES: Record<number, string> = { 0: 'Response', 1: 'Error', 2: 'Message', 3: 'Ack' };
export const FRAME_TYPE_IDS: Record<string, number> = { Response: 0, Error: 1, Message: 2, Ack: 3 };

/** Command words the broker implements, with the parameters their line carries (in order). */
export const COMMAND_PARAMS: Readonly<Record<string, readonly string[]>> = {
  H: [],
  NOP: [],
  IDENTIFY: [],
  SUB: ['channel_id'],
  PUB: ['client_id', 'channel_id', 'message_id'],
  CLS: [],
};

export function isCommand(word: string): boolean {
  return Object.prototype.hasOwnProperty.call(COMMAND_PARAMS, word);
}

export const ACK_TYPE_NAMES: Record<number, string> = {
  1: 'delivered',
  2: 'target client offline',
  3: 'write to target failed',
};

/** The broker reads lines with a 16 KiB bufio.Reader: a longer line can never be a command. */
export const MAX_LINE = 16 * 1024;
/** Upper bound of a broker frame for detection (§5.6). */
export const DETECT_MAX_SIZE = 5 * 1024 * 1024;
/** Message frame data: i64 timestamp, u16 attempts, 16 hex characters, then the body. */
export const MESSAGE_HEADER = 26;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. Returns the canonical decimal
 * text (N8), or undefined when the broker would reject the text.
 */
export function parseInt64(text: string): string | undefined {
  // Up to 15 digits, no sign, no leading zero (the usual id): already canonical and in range, no regex or BigInt.
  if (text.length > 0 && text.length <= 15 && (text.charCodeAt(0) !== 0x30 || text.length === 1)) {
    let digits = true;
    for (let i = 0; digits && i < text.length; i++) { const c = text.charCodeAt(i); digits = c >= 0x30 && c <= 0x39; }
    if (digits) return text;
  }
  if (!/^[+-]?\d+$/.test(text) || text.length > 40) return undefined;
  const v = BigInt(text[0] === '+' ? text.slice(1) : text);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v.toString();
}

/** The message id of a Message frame from its 16 hex characters (two's complement, big-endian digits). */
export function idFromHex(hex: string): string | undefined {
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) return undefined;
  // Ids below 2^52 (the usual case) avoid BigInt: this runs in `peek`.
  if (hex.charCodeAt(0) === 0x30 && hex.charCodeAt(1) === 0x30 && hex.charCodeAt(2) === 0x30) return parseInt(hex, 16).toString();
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}

/** `idFromHex` straight from the 16 bytes at `at` (the `peek` path: no intermediate string for usual ids). */
export function idFromHexBytes(b: Uint8Array, at: number): string | undefined {
  let v = 0;
  for (let i = at; i < at + 16; i++) {
    const c = b[i];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return undefined;
    v = v * 16 + d;
  }
  // Below 2^52 the number is exact; above, redo it with BigInt (and the sign of the 64-bit value).
  return v < 2 ** 52 ? v.toString() : idFromHex(latin1(b, at, at + 16));
}

/**
 * A summary value straight from bytes: bare when b[start..end) is one printable token (the usual id or code),
 * else quoted via `summaryValue`.
 */
export function summaryToken(b: Uint8Array, start: number, end: number): string {
  if (end - start > 48 || end === start) return summaryValue(fromUtf8(b, start, end));
  // Decimal ids are the usual token: a number's toString is far cheaper than building the string char by char.
  if (end - start <= 15 && (b[start] !== 0x30 || end - start === 1)) {
    let v = 0;
    let i = start;
    for (; i < end; i++) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === end) return v.toString();
  }
  let out = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c <= 0x20 || c >= 0x7f || c === 0x22) return summaryValue(fromUtf8(b, start, end));
    out += String.fromCharCode(c);
  }
  return out;
}

/** The 16 lowercase hex characters the broker writes for a message id. */
export function hexFromId(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16).padStart(16, '0');
}

/** One byte per character: exact for fixed-width ASCII fields (magic, hex id) whatever the bytes are. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(b[i]);
  return out;
}

/** Inverse of `latin1`; undefined when a character does not fit in a byte. */
export function fromLatin1(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return undefined;
    out[i] = c;
  }
  return out;
}

/** Byte ranges of the parts of `b[start..end)` split on single spaces (Go's bytes.Split(line, " ")). */
export function splitSpaces(b: Uint8Array, start: number, end: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let from = start;
  for (let i = start; i < end; i++) {
    if (b[i] === 0x20) { parts.push([from, i]); from = i + 1; }
  }
  parts.push([from, end]);
  return parts;
}

export function indexOfByte(b: Uint8Array, byte: number, start: number, end: number): number {
  const at = b.indexOf(byte, start);
  return at < 0 || at >= end ? -1 : at;
}

/**
 * The bounds of a command line starting at `start`: `nl` (the `\n`, −1 when missing), `textEnd` (the line without
 * `\r\n`; a trailing `\r` is stripped) and `wordEnd` (end of the command word, before the first space).
 */
export function lineBounds(b: Uint8Array, start: number, end: number): { nl: number; textEnd: number; wordEnd: number } {
  const nl = indexOfByte(b, 0x0a, start, end);
  const stop = nl < 0 ? end : nl;
  const textEnd = stop > start && b[stop - 1] === 0x0d ? stop - 1 : stop;
  let wordEnd = start;
  while (wordEnd < textEnd && b[wordEnd] !== 0x20) wordEnd++;
  return { nl, textEnd, wordEnd };
}

export function startsWithMagic(b: Uint8Array, off = 0): boolean {
  return b.length - off >= 4 && b[off] === 0x20 && b[off + 1] === 0x20 && b[off + 2] === 0x56 && b[off + 3] === 0x31;
}

/**
 * Whether a client PDU is the magic: the broker reads the first 4 bytes of a connection as the magic whatever they
 * are, and no command line starts with two spaces, so `20 20` marks a (possibly wrong or truncated) magic.
 */
export function looksLikeMagic(b: Uint8Array): boolean {
  return b.length > 0 && b[0] === 0x20 && (b.length === 1 || b[1] === 0x20);
}

/**
 * Compact JSON as Go's encoding/json writes it (the broker's negotiation reply, the worker's IDENTIFY): only the
 * escapes JSON requires plus the HTML-safe ones (`<` `>` `&` as \u003c …) and U+2028/U+2029.
 */
export function stringifyGo(value: JsonValue): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A summary value: bare when it is one printable token, else quoted; long values cut. */
export function summaryValue(v: string): string {
  const cut = v.length > 48 ? `${v.slice(0, 48)}…` : v;
  // Printable ASCII without a space or a quote is shown bare (a loop: this runs in every peek).
  let bare = cut.length > 0;
  for (let i = 0; bare && i < cut.length; i++) { const c = cut.charCodeAt(i); if (c < 0x21 || c > 0x7e || c === 0x22) bare = false; }
  return bare ? cut : JSON.stringify(cut);
}

/** Known command lines, used where a false positive costs (detection, resynchronisation after garbage): §5.6. */
export const KNOWN_LINE = /^(?:H|NOP|CLS|IDENTIFY|SUB -?\d+|PUB -?\d+ -?\d+ -?\d+)\r?\n/;
/** A prefix that can still grow into a known command line (the bytes so far end before the newline). */
const KNOWN_LINE_PREFIX = /^(?:H\r?|N(?:O(?:P\r?)?)?|C(?:L(?:S\r?)?)?|I(?:D(?:E(?:N(?:T(?:I(?:F(?:Y\r?)?)?)?)?)?)?)?|S(?:U(?:B(?: -?\d*\r?)?)?)?|P(?:U(?:B(?: -?\d*(?: -?\d*(?: -?\d*\r?)?)?)?)?)?)$/;
/** The longest known line: `PUB` and three int64 parameters (each at most 20 characters) plus `\r\n`. */
const KNOWN_LINE_MAX = 70;

/**
 * Whether a known command line starts at `off`: 1 yes, 0 cannot tell yet (the bytes end inside a possible line),
 * −1 no.
 */
export function knownLineAt(b: Uint8Array, off: number, end: number): 1 | 0 | -1 {
  const c = b[off];
  // H N C I S P: the only first letters a known command has (cheap reject while scanning garbage).
  if (c !== 0x48 && c !== 0x4e && c !== 0x43 && c !== 0x49 && c !== 0x53 && c !== 0x50) return -1;
  const stop = Math.min(end, off + KNOWN_LINE_MAX);
  const text = latin1(b, off, stop);
  if (text.includes('\n')) return KNOWN_LINE.test(text) ? 1 : -1;
  return stop === end && KNOWN_LINE_PREFIX.test(text) ? 0 : -1;
}

/** Printable ASCII (the broker's text frames), checking at most `limit` bytes. */
export function isPrintable(b: Uint8Array, start: number, end: number, limit = 64): boolean {
  const stop = Math.min(end, start + limit);
  for (let i = start; i < stop; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Byte helpers shared by every codec: hex, UTF-8, and the optional GBK charset. Pure: no Buffer, no DOM. */

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15]);

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) out += BYTE_TO_HEX[bytes[i]];
  return out;
}

export class HexError extends Error {}

/** Parses hex, tolerating whitespace, `:`/`-`/`|` separators and a leading `0x`. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:|-]/g, '');
  if (clean.length % 2 !== 0) throw new HexError(`hex has an odd number of digits (${clean.length})`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(clean.charCodeAt(2 * i));
    const lo = hexValue(clean.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new HexError(`not a hex digit at position ${2 * i + (hi < 0 ? 0 : 1)}: '${clean[2 * i + (hi < 0 ? 0 : 1)]}'`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n += 4; i++; } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes UTF-8; short ASCII takes a fast path because almost every string on these wires is ASCII. Under 13
 * characters concatenation is cheapest (V8 builds short strings flat); up to 40 one fromCharCode call over a reused
 * array beats both concatenation (a rope that is flattened on first use) and TextDecoder's fixed cost.
 */
export function fromUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = end - start;
  if (n <= 12) {
    let ascii = '';
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
      ascii += String.fromCharCode(b);
    }
    return ascii;
  }
  if (n < 40) {
    for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
    return latin1Text(bytes, start, end);
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/** Reused argument lists for fromCharCode, one per length (resizing a single array costs as much as filling it). */
const CODE_UNITS: number[][] = [];

/** One character per byte (exact for ASCII, Latin-1 otherwise), built without a rope or a TextDecoder call. */
export function latin1Text(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = end - start;
  if (n <= 12) {
    let out = '';
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
    return out;
  }
  if (n <= 64) {
    const units = (CODE_UNITS[n] ??= new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) units[i] = bytes[start + i];
    return String.fromCharCode.apply(null, units);
  }
  // Long runs: in slices that stay under the engines' argument limits.
  let out = '';
  for (let i = start; i < end; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  }
  return out;
}

/**
 * Whether the bytes are well-formed UTF-8, exactly as a fatal TextDecoder judges them (WHATWG: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no cut sequence). Checked by hand: the decoder reports invalid input by
 * throwing, and an exception costs far more than the check.
 */
export function isValidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= end) return false; // cut sequence
    const c = bytes[i + 1];
    if (c < lo || c > hi) return false;
    for (let k = 2; k <= need; k++) {
      const d = bytes[i + k];
      if (d < 0x80 || d > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

export type Charset = 'utf-8' | 'gbk';

let gbkDecoder: TextDecoder | undefined;
let gbkEncodeTable: Map<number, number> | undefined;

export function decodeText(bytes: Uint8Array, start: number, end: number, charset: Charset): string {
  if (charset === 'utf-8') return fromUtf8(bytes, start, end);
  gbkDecoder ??= new TextDecoder('gbk');
  return gbkDecoder.decode(bytes.subarray(start, end));
}

/** GBK has no TextEncoder; the table is built once, lazily, by inverting the platform's GBK decoder. */
export function encodeText(text: string, charset: Charset): Uint8Array {
  if (charset === 'utf-8') return utf8(text);
  gbkEncodeTable ??= buildGbkEncodeTable();
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) { out.push(cp); continue; }
    const code = gbkEncodeTable.get(cp);
    if (code === undefined) out.push(0x3f); // '?', as Java's encoder writes for unmappable characters
    else out.push(code >> 8, code & 0xff);
  }
  return Uint8Array.from(out);
}

function buildGbkEncodeTable(): Map<number, number> {
  gbkDecoder ??= new TextDecoder('gbk');
  const table = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      pair[0] = hi; pair[1] = lo;
      const s = gbkDecoder.decode(pair);
      const cp = s.codePointAt(0)!;
      if (s.length === 1 && cp !== 0xfffd && !table.has(cp)) table.set(cp, (hi << 8) | lo);
    }
  }
  return table;
}

/** Printable ASCII preview of bytes, dots for the rest, like a hex editor's text column. */
export function asciiPreview(bytes: Uint8Array, start = 0, end = bytes.length, max = 48): string {
  let out = '';
  const stop = Math.min(end, start + max);
  for (let i = start; i < stop; i++) out += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
  return end > stop ? out + '…' : out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * JSON carried inside PDUs (hodor bodies and attachments, push IDENTIFY, HTTP bodies). Parsed over the bytes so
 * every member has a byte range for the hex view, flattened into fields per PROTOCOLS.md §0.2 N6, and written
 * back compactly the way the real peers write it (Gson: HTML-safe escapes), so re-encoding reproduces the bytes.
 */
import { fromUtf8 } from './bytes';
import type { FieldNode, FieldValue } from './tree';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonNode =
  | { kind: 'object'; start: number; end: number; members: JsonMember[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'number'; start: number; end: number; text: string }
  | { kind: 'boolean'; start: number; end: number; value: boolean }
  | { kind: 'null'; start: number; end: number };

export interface JsonMember {
  key: string;
  keyStart: number;
  value: JsonNode;
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
  }
}

const MAX_DEPTH = 256;

/** Parses one JSON value spanning bytes[start..end) (surrounding whitespace allowed). */
export function parseJsonBytes(bytes: Uint8Array, start = 0, end = bytes.length): JsonNode {
  const p = new JsonParser(bytes, start, end);
  const root = p.parseValue(0);
  p.ws();
  if (p.i !== end) p.fail('trailing data after JSON');
  return root;
}

/** The parser's state as an object with methods: nested closures per call cost more than the parse of a small body. */
class JsonParser {
  i: number;

  constructor(readonly bytes: Uint8Array, start: number, readonly end: number) {
    this.i = start;
  }

  ws(): void {
    const { bytes, end } = this;
    let i = this.i;
    while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
    this.i = i;
  }

  fail(msg: string): never {
    throw new JsonSyntaxError(msg, this.i);
  }

  parseString(): string {
    const { bytes, end } = this;
    let i = this.i + 1; // opening quote (a local index: this loop runs once per byte of every string)
    let out = '';
    let runStart = i;
    while (true) {
      if (i >= end) { this.i = i; this.fail('unterminated string'); }
      const c = bytes[i];
      if (c === 0x22) { out += fromUtf8(bytes, runStart, i); this.i = i + 1; return out; }
      if (c < 0x20) { this.i = i; this.fail('control character in string'); }
      if (c === 0x5c) {
        out += fromUtf8(bytes, runStart, i);
        const e = bytes[i + 1];
        i += 2;
        switch (e) {
          case 0x22: out += '"'; break;
          case 0x5c: out += '\\'; break;
          case 0x2f: out += '/'; break;
          case 0x62: out += '\b'; break;
          case 0x66: out += '\f'; break;
          case 0x6e: out += '\n'; break;
          case 0x72: out += '\r'; break;
          case 0x74: out += '\t'; break;
          case 0x75: {
            const hex = fromUtf8(bytes, i, Math.min(i + 4, end));
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) { this.i = i; this.fail('bad \\u escape'); }
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default: this.i = i - 1; this.fail('bad escape');
        }
        runStart = i;
        continue;
      }
      i++;
    }
  }

  parseValue(depth: number): JsonNode {
    const { bytes, end } = this;
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.ws();
    if (this.i >= end) this.fail('unexpected end');
    const s = this.i;
    const c = bytes[s];
    if (c === 0x7b) {
      this.i++;
      const members: JsonMember[] = [];
      this.ws();
      if (bytes[this.i] === 0x7d) { this.i++; return { kind: 'object', start: s, end: this.i, members }; }
      while (true) {
        this.ws();
        if (bytes[this.i] !== 0x22) this.fail('expected a member name');
        const keyStart = this.i;
        const key = this.parseString();
        this.ws();
        if (bytes[this.i] !== 0x3a) this.fail("expected ':'");
        this.i++;
        members.push({ key, keyStart, value: this.parseValue(depth + 1) });
        this.ws();
        if (bytes[this.i] === 0x2c) { this.i++; continue; }
        if (bytes[this.i] === 0x7d) { this.i++; return { kind: 'object', start: s, end: this.i, members }; }
        this.fail("expected ',' or '}'");
      }
    }
    if (c === 0x5b) {
      this.i++;
      const items: JsonNode[] = [];
      this.ws();
      if (bytes[this.i] === 0x5d) { this.i++; return { kind: 'array', start: s, end: this.i, items }; }
      while (true) {
        items.push(this.parseValue(depth + 1));
        this.ws();
        if (bytes[this.i] === 0x2c) { this.i++; continue; }
        if (bytes[this.i] === 0x5d) { this.i++; return { kind: 'array', start: s, end: this.i, items }; }
        this.fail("expected ',' or ']'");
      }
    }
    if (c === 0x22) { const value = this.parseString(); return { kind: 'string', start: s, end: this.i, value }; }
    if (c === 0x74 && this.matchWord('true')) return { kind: 'boolean', start: s, end: this.i, value: true };
    if (c === 0x66 && this.matchWord('false')) return { kind: 'boolean', start: s, end: this.i, value: false };
    if (c === 0x6e && this.matchWord('null')) return { kind: 'null', start: s, end: this.i };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let i = s;
      while (i < end && isNumberByte(bytes[i])) i++;
      this.i = i;
      if (!isJsonNumber(bytes, s, i)) { this.i = s; this.fail('bad number'); }
      return { kind: 'number', start: s, end: i, text: fromUtf8(bytes, s, i) };
    }
    return this.fail('unexpected character');
  }

  matchWord(w: string): boolean {
    for (let k = 0; k < w.length; k++) if (this.bytes[this.i + k] !== w.charCodeAt(k)) return false;
    this.i += w.length;
    return true;
  }
}

/** The characters a number literal is scanned over: `-+.eE0-9`. */
function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65;
}

/** `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?` over bytes[s..e), checked on the bytes (no string, no regex). */
function isJsonNumber(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (b[i] === 0x2d) i++;
  if (i >= e) return false;
  if (b[i] === 0x30) i++;
  else if (b[i] >= 0x31 && b[i] <= 0x39) { i++; while (i < e && b[i] >= 0x30 && b[i] <= 0x39) i++; } else return false;
  if (i < e && b[i] === 0x2e) {
    i++;
    const from = i;
    while (i < e && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === from) return false;
  }
  if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    const from = i;
    while (i < e && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === from) return false;
  }
  return i === e;
}

/** JSON.stringify of a string; printable ASCII without quote or backslash (ids, names, addresses) needs no escape. */
export function jsonQuote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** The JS value of a number literal: integers beyond 2^53−1 stay decimal strings (N6). */
export function numberValue(text: string): number | string {
  const n = Number(text);
  // A safe integer is the number whatever the text looks like: the regex only runs for the rare others.
  if (!Number.isSafeInteger(n) && /^-?\d+$/.test(text)) return text;
  return n;
}

export function jsonValueOf(node: JsonNode): JsonValue {
  switch (node.kind) {
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const m of node.members) out[m.key] = jsonValueOf(m.value);
      return out;
    }
    case 'array': return node.items.map(jsonValueOf);
    case 'string': return node.value;
    case 'number': return numberValue(node.text);
    case 'boolean': return node.value;
    case 'null': return null;
  }
}

/**
 * The tree of a JSON value flattened under `base` (N6): members append `.name`, array elements reuse the array's
 * path, leaves carry their JSON value. `offset` shifts byte positions (PDU-relative ranges).
 */
export function jsonTree(node: JsonNode, base: string, label: string, offset = 0): FieldNode {
  const start = node.start + offset;
  const length = node.end - node.start;
  switch (node.kind) {
    case 'object': {
      const children: FieldNode[] = [];
      for (const m of node.members) {
        const child = jsonTree(m.value, `${base}.${m.key}`, m.key, offset);
        child.length += child.start - (m.keyStart + offset);
        child.start = m.keyStart + offset;
        children.push(child);
      }
      return { abbrev: base, label, start, length, display: `{${node.members.length} member${node.members.length === 1 ? '' : 's'}}`, children };
    }
    case 'array': {
      const children: FieldNode[] = [];
      for (let i = 0; i < node.items.length; i++) children.push(jsonTree(node.items[i], base, `${label}[${i}]`, offset));
      return { abbrev: base, label, start, length, display: `[${node.items.length} item${node.items.length === 1 ? '' : 's'}]`, children };
    }
    default: {
      const value = leafValue(node);
      return { abbrev: base, label, start, length, value, display: typeof value === 'string' ? jsonQuote(value) : String(value) };
    }
  }
}

function leafValue(node: JsonNode): FieldValue {
  switch (node.kind) {
    case 'string': return node.value;
    case 'number': return numberValue(node.text);
    case 'boolean': return node.value;
    default: return null;
  }
}

/** Object and array nodes of a JSON tree have an abbrev but no value: only leaves are fields (N6). */
export function isJsonContainer(node: FieldNode): boolean {
  return node.value === undefined && node.children !== undefined;
}

const GSON_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '=': '\\u003d', "'": '\\u0027',
  '\u2028': '\\u2028', '\u2029': '\\u2029',
};

const GSON_ESCAPE = /["\\\n\r\t\b\f<>&='\u2028\u2029]|[\u0000-\u001f]/g;

function gsonEscape(s: string): string {
  // Most keys and values need no escape: a scan is cheaper than a replace with a callback.
  let plain = true;
  for (let i = 0; plain && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x3d || c === 0x27) plain = false;
    else if (c === 0x2028 || c === 0x2029) plain = false;
  }
  return plain ? s : s.replace(GSON_ESCAPE, gsonEscapeChar);
}

function gsonEscapeChar(c: string): string {
  return GSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Compact JSON as Gson writes it by default (HTML-safe escapes); key order as given. */
export function stringifyGson(value: JsonValue): string {
  return stringifyWith(value, gsonEscape);
}

/** Compact JSON with only the escapes JSON requires (what Go, Node and most others write). */
export function stringifyPlain(value: JsonValue): string {
  return JSON.stringify(value);
}

/** Loops rather than entries/map/join: this runs on every decode (jsonDocValue's round-trip check). */
function stringifyWith(value: JsonValue, escape: (s: string) => string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${escape(value)}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + stringifyWith(value[i], escape);
    return `${out}]`;
  }
  const keys = Object.keys(value);
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}"${escape(keys[i])}":${stringifyWith(value[keys[i]], escape)}`;
  return `${out}}`;
}

/**
 * The document form of embedded JSON: the parsed value when writing it back (with `write`) reproduces the bytes
 * exactly, otherwise the original text, so `encode(decode(b))` is always `b`. Encoders accept both forms.
 */
export function jsonDocValue(text: string, parsed: JsonValue, write: (v: JsonValue) => string): JsonValue {
  // Also catches objects whose integer-like keys JS reordered: their re-serialisation differs from the text.
  // A JSON string value stays as its text: a string document value means "the text as is" to jsonDocText.
  return typeof parsed !== 'string' && write(parsed) === text ? parsed : text;
}

/** Text to put on the wire for a JSON document value (object/array/… → serialised; string → as is). */
export function jsonDocText(value: unknown, write: (v: JsonValue) => string): string {
  if (typeof value === 'string') return value;
  return write(value as JsonValue);
}

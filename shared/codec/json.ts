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
  let i = start;
  const ws = (): void => { while (i < end && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++; };
  const fail = (msg: string): never => { throw new JsonSyntaxError(msg, i); };

  const parseString = (): string => {
    i++; // opening quote
    let out = '';
    let runStart = i;
    while (true) {
      if (i >= end) fail('unterminated string');
      const c = bytes[i];
      if (c === 0x22) { out += fromUtf8(bytes, runStart, i); i++; return out; }
      if (c < 0x20) fail('control character in string');
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
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default: i -= 1; fail('bad escape');
        }
        runStart = i;
        continue;
      }
      i++;
    }
  };

  const parseValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    ws();
    if (i >= end) fail('unexpected end');
    const s = i;
    const c = bytes[i];
    if (c === 0x7b) {
      i++;
      const members: JsonMember[] = [];
      ws();
      if (bytes[i] === 0x7d) { i++; return { kind: 'object', start: s, end: i, members }; }
      while (true) {
        ws();
        if (bytes[i] !== 0x22) fail('expected a member name');
        const keyStart = i;
        const key = parseString();
        ws();
        if (bytes[i] !== 0x3a) fail("expected ':'");
        i++;
        members.push({ key, keyStart, value: parseValue(depth + 1) });
        ws();
        if (bytes[i] === 0x2c) { i++; continue; }
        if (bytes[i] === 0x7d) { i++; return { kind: 'object', start: s, end: i, members }; }
        fail("expected ',' or '}'");
      }
    }
    if (c === 0x5b) {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (bytes[i] === 0x5d) { i++; return { kind: 'array', start: s, end: i, items }; }
      while (true) {
        items.push(parseValue(depth + 1));
        ws();
        if (bytes[i] === 0x2c) { i++; continue; }
        if (bytes[i] === 0x5d) { i++; return { kind: 'array', start: s, end: i, items }; }
        fail("expected ',' or ']'");
      }
    }
    if (c === 0x22) { const value = parseString(); return { kind: 'string', start: s, end: i, value }; }
    if (c === 0x74 && matchWord('true')) return { kind: 'boolean', start: s, end: i, value: true };
    if (c === 0x66 && matchWord('false')) return { kind: 'boolean', start: s, end: i, value: false };
    if (c === 0x6e && matchWord('null')) return { kind: 'null', start: s, end: i };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      while (i < end && /[-+.eE0-9]/.test(String.fromCharCode(bytes[i]))) i++;
      const text = fromUtf8(bytes, s, i);
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(text)) { i = s; fail('bad number'); }
      return { kind: 'number', start: s, end: i, text };
    }
    return fail('unexpected character');
  };

  const matchWord = (w: string): boolean => {
    for (let k = 0; k < w.length; k++) if (bytes[i + k] !== w.charCodeAt(k)) return false;
    i += w.length;
    return true;
  };

  const root = parseValue(0);
  ws();
  if (i !== end) fail('trailing data after JSON');
  return root;
}

/** The JS value of a number literal: integers beyond 2^53−1 stay decimal strings (N6). */
export function numberValue(text: string): number | string {
  const n = Number(text);
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n)) return text;
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
  const range = { start: node.start + offset, length: node.end - node.start };
  switch (node.kind) {
    case 'object':
      return {
        abbrev: base, label, ...range,
        display: `{${node.members.length} member${node.members.length === 1 ? '' : 's'}}`,
        children: node.members.map((m) => {
          const child = jsonTree(m.value, `${base}.${m.key}`, m.key, offset);
          child.length += child.start - (m.keyStart + offset);
          child.start = m.keyStart + offset;
          return child;
        }),
      };
    case 'array':
      return {
        abbrev: base, label, ...range, display: `[${node.items.length} item${node.items.length === 1 ? '' : 's'}]`,
        children: node.items.map((item, i) => jsonTree(item, base, `${label}[${i}]`, offset)),
      };
    default: {
      const value = leafValue(node);
      return { abbrev: base, label, ...range, value, display: typeof value === 'string' ? JSON.stringify(value) : String(value) };
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

/** Compact JSON as Gson writes it by default (HTML-safe escapes); key order as given. */
export function stringifyGson(value: JsonValue): string {
  return stringifyWith(value, (s) => s.replace(/["\\\n\r\t\b\f<>&='\u2028\u2029]|[\u0000-\u001f]/g,
    (c) => GSON_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Compact JSON with only the escapes JSON requires (what Go, Node and most others write). */
export function stringifyPlain(value: JsonValue): string {
  return JSON.stringify(value);
}

function stringifyWith(value: JsonValue, escape: (s: string) => string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${escape(value)}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => stringifyWith(v, escape)).join(',')}]`;
  return `{${Object.entries(value).map(([k, v]) => `"${escape(k)}":${stringifyWith(v, escape)}`).join(',')}}`;
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

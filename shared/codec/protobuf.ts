/**
 * Protocol Buffers as protostuff writes them (hodor bodies, txlcn payloads): raw wire decoding into a tree with byte
 * ranges, and table-driven decoding/encoding where the field numbers are known. Tables map numbers to names; the
 * decoded value is the JSON view the protocol sections describe.
 */
import { fromUtf8, toHex, utf8 } from './bytes';
import { Truncated } from './reader';
import { Writer } from './writer';
import { EncodeError } from './schema';
import type { FieldNode, FieldValue, Note } from './tree';
import type { JsonValue } from './json';

export type PbType =
  | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'enum'
  /** Java short written by protostuff: uint32 varint of the sign-extended value, read back as the low 16 bits. */
  | 'short'
  | 'string' | 'bytes' | 'message'
  /** protostuff's Object/generic field: a nested message whose field 127 names the Java class. */
  | 'dynamic'
  /** Shown as generic protobuf (protostuff's map encoding). */
  | 'raw';

export interface PbField {
  no: number;
  name: string;
  type: PbType;
  enum?: readonly string[];
  message?: PbMessage;
  description?: string;
}

export interface PbMessage {
  name: string;
  fields: readonly PbField[];
}

export interface PbOptions {
  /** 64-bit integers: `json` keeps them numbers when ≤ 2^53−1 (N6); `string` always decimal strings (N8). */
  int64: 'json' | 'string';
  /** How `bytes` fields appear in the value: Base64 (hodor's JSON view) or hex (N8). */
  bytesAs: 'base64' | 'hex';
  /** Resolves a dynamic object's Java class name to its table. */
  resolveClass?: (className: string) => PbMessage | undefined;
}

/** The member of a dynamic object's value that carries its Java class name (field 127). */
export const CLASS_KEY = '@class';
const CLASS_FIELD = 127;

export function readVarint(b: Uint8Array, pos: number, end: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < end && i < pos + 10; i++) {
    const byte = b[i];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  if (end - pos >= 10) throw new Error(`varint longer than 10 bytes at offset ${pos}`);
  throw new Truncated(pos, Math.min(10, end - pos + 1), end - pos);
}

export function writeVarint(w: Writer, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) { w.u8(Number(x & 0x7fn) | 0x80); x >>= 7n; }
  w.u8(Number(x));
}

interface RawField { no: number; wire: number; start: number; end: number; valueStart: number; varint?: bigint; }

/** Splits a message into its raw fields; throws on malformed wire data. */
export function scanFields(b: Uint8Array, start: number, end: number): RawField[] {
  const out: RawField[] = [];
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = readVarint(b, pos, end);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new Error(`field number 0 at offset ${pos}`);
    let next: number;
    let varint: bigint | undefined;
    switch (wire) {
      case 0: [varint, next] = readVarint(b, afterTag, end); break;
      case 1: next = afterTag + 8; break;
      case 5: next = afterTag + 4; break;
      case 2: {
        const [len, afterLen] = readVarint(b, afterTag, end);
        if (len > BigInt(end - afterLen)) throw new Truncated(afterLen, Number(len), end - afterLen);
        out.push({ no, wire, start: pos, end: afterLen + Number(len), valueStart: afterLen });
        pos = afterLen + Number(len);
        continue;
      }
      default: throw new Error(`unsupported wire type ${wire} at offset ${pos}`);
    }
    if (next > end) throw new Truncated(afterTag, next - afterTag, end - afterTag);
    out.push({ no, wire, start: pos, end: next, valueStart: afterTag, varint });
    pos = next;
  }
  return out;
}

export interface PbDecoded {
  node: FieldNode;
  value: { [key: string]: JsonValue };
  notes: Note[];
}

const WIRE_FOR: Record<PbType, number> = {
  int32: 0, int64: 0, uint32: 0, uint64: 0, bool: 0, enum: 0, short: 0,
  string: 2, bytes: 2, message: 2, dynamic: 2, raw: -1,
};

/**
 * Decodes a message with its table (or none: generic). Fields of the table become nodes `<base>.<name>`; unknown
 * numbers become generic nodes without abbrev. Throws on malformed wire data (callers add the note).
 */
export function decodeMessage(b: Uint8Array, start: number, end: number, table: PbMessage | undefined, base: string, label: string, opts: PbOptions): PbDecoded {
  const notes: Note[] = [];
  const node: FieldNode = { abbrev: base, label, start, length: end - start, children: [] };
  const value: { [key: string]: JsonValue } = {};
  const repeated = new Set<string>();
  for (const f of scanFields(b, start, end)) {
    const def = table?.fields.find((d) => d.no === f.no);
    const range = { start: f.start, length: f.end - f.start };
    if (f.no === CLASS_FIELD && f.wire === 2) {
      const className = fromUtf8(b, f.valueStart, f.end);
      value[CLASS_KEY] = className;
      node.children!.push({ label: `class ${className}`, ...range, value: className });
      continue;
    }
    if (!def || (WIRE_FOR[def.type] !== f.wire && def.type !== 'raw')) {
      if (def) {
        const msg = `${base}.${def.name}: wire type ${f.wire} does not match ${def.type}`;
        notes.push({ severity: 'warn', message: msg });
      }
      node.children!.push(genericNode(b, f));
      continue;
    }
    const abbrev = `${base}.${def.name}`;
    const put = (v: JsonValue): void => {
      if (!(def.name in value)) value[def.name] = v;
      else if (repeated.has(def.name)) (value[def.name] as JsonValue[]).push(v);
      else { value[def.name] = [value[def.name], v]; repeated.add(def.name); }
    };
    if (f.wire === 0) {
      const v = scalarValue(f.varint!, def, opts);
      const display = def.type === 'enum' && def.enum ? `${def.enum[Number(f.varint)] ?? 'unknown'} (${f.varint})` : undefined;
      node.children!.push({ abbrev, label: def.name, ...range, value: v as FieldValue, ...(display ? { display } : {}) });
      put(v);
    } else if (def.type === 'string') {
      const v = fromUtf8(b, f.valueStart, f.end);
      node.children!.push({ abbrev, label: def.name, ...range, value: v });
      put(v);
    } else if (def.type === 'bytes') {
      const v = opts.bytesAs === 'base64' ? toBase64(b.subarray(f.valueStart, f.end)) : toHex(b, f.valueStart, f.end);
      node.children!.push({ abbrev, label: def.name, ...range, value: v });
      put(v);
    } else if (def.type === 'raw') {
      const child = genericNode(b, f);
      child.label = def.name;
      node.children!.push(child);
    } else {
      let sub = def.message;
      if (def.type === 'dynamic') {
        const className = peekClassName(b, f.valueStart, f.end);
        sub = className ? opts.resolveClass?.(className) : undefined;
      }
      const inner = decodeMessage(b, f.valueStart, f.end, sub, abbrev, def.name, opts);
      inner.node.start = f.start;
      inner.node.length = f.end - f.start;
      if (inner.value[CLASS_KEY]) inner.node.display = String(inner.value[CLASS_KEY]);
      node.children!.push(inner.node);
      notes.push(...inner.notes);
      put(inner.value);
    }
  }
  return { node, value, notes };
}

function peekClassName(b: Uint8Array, start: number, end: number): string | undefined {
  try {
    for (const f of scanFields(b, start, end)) if (f.no === CLASS_FIELD && f.wire === 2) return fromUtf8(b, f.valueStart, f.end);
  } catch { /* the caller reports malformed data */ }
  return undefined;
}

function scalarValue(v: bigint, def: PbField, opts: PbOptions): JsonValue {
  switch (def.type) {
    case 'int32': return Number(BigInt.asIntN(32, v));
    case 'uint32': return Number(BigInt.asUintN(32, v));
    case 'short': return Number(BigInt.asIntN(16, v));
    case 'bool': return v !== 0n;
    case 'enum': return def.enum?.[Number(v)] ?? Number(v);
    case 'int64': return int64Value(BigInt.asIntN(64, v), opts);
    default: return int64Value(BigInt.asUintN(64, v), opts);
  }
}

function int64Value(v: bigint, opts: PbOptions): JsonValue {
  if (opts.int64 === 'string') return v.toString();
  return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** A field of unknown meaning: number, wire type and raw value. */
function genericNode(b: Uint8Array, f: RawField): FieldNode {
  const range = { start: f.start, length: f.end - f.start };
  if (f.wire === 0) return { label: `field ${f.no} (varint)`, ...range, value: f.varint!.toString() };
  if (f.wire === 2) {
    const text = fromUtf8(b, f.valueStart, f.end);
    const printable = /^[\x20-\x7e\u00a0-\uffff]*$/.test(text);
    return { label: `field ${f.no} (length-delimited)`, ...range, value: toHex(b, f.valueStart, f.end), ...(printable && text ? { display: JSON.stringify(text) } : {}) };
  }
  return { label: `field ${f.no} (${f.wire === 1 ? 'fixed64' : 'fixed32'})`, ...range, value: toHex(b, f.valueStart, f.end) };
}

/** Encodes a JSON view with its table: fields in table order (protostuff writes by field number), nulls skipped. */
export function encodeMessage(value: { [key: string]: JsonValue }, table: PbMessage, opts: PbOptions, where: string, w = new Writer()): Uint8Array {
  writeMessage(w, value, table, opts, where);
  return w.finish();
}

function writeMessage(w: Writer, value: { [key: string]: JsonValue }, table: PbMessage, opts: PbOptions, where: string): void {
  const className = value[CLASS_KEY];
  if (typeof className === 'string') { writeTag(w, CLASS_FIELD, 2); writeLengthDelimited(w, utf8(className)); }
  const known = new Set([CLASS_KEY, ...table.fields.map((f) => f.name)]);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new EncodeError(`${where}.${key}: not a field of ${table.name}`);
  for (const def of [...table.fields].sort((a, b) => a.no - b.no)) {
    const v = value[def.name];
    if (v === undefined || v === null) continue;
    const at = `${where}.${def.name}`;
    const values = Array.isArray(v) && def.type !== 'raw' ? v : [v];
    for (const item of values) writeField(w, def, item, opts, at);
  }
}

function writeField(w: Writer, def: PbField, v: JsonValue, opts: PbOptions, at: string): void {
  switch (def.type) {
    case 'string':
      if (typeof v !== 'string') throw new EncodeError(`${at}: expected a string`);
      writeTag(w, def.no, 2); writeLengthDelimited(w, utf8(v)); return;
    case 'bytes': {
      if (typeof v !== 'string') throw new EncodeError(`${at}: expected ${opts.bytesAs === 'base64' ? 'Base64' : 'hex'} text`);
      writeTag(w, def.no, 2); writeLengthDelimited(w, opts.bytesAs === 'base64' ? fromBase64(v, at) : hexBytes(v, at)); return;
    }
    case 'message': case 'dynamic': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EncodeError(`${at}: expected an object`);
      let table = def.message;
      if (def.type === 'dynamic') {
        const cls = v[CLASS_KEY];
        table = typeof cls === 'string' ? opts.resolveClass?.(cls) : undefined;
        if (!table) throw new EncodeError(`${at}: a dynamic object needs a known "${CLASS_KEY}"`);
      }
      const inner = new Writer();
      writeMessage(inner, v, table!, opts, at);
      writeTag(w, def.no, 2); writeLengthDelimited(w, inner.finish()); return;
    }
    case 'raw':
      throw new EncodeError(`${at}: cannot encode a field shown as raw protobuf`);
    default: {
      writeTag(w, def.no, 0);
      writeVarint(w, scalarToVarint(def, v, at));
    }
  }
}

function scalarToVarint(def: PbField, v: JsonValue, at: string): bigint {
  if (def.type === 'bool') {
    if (typeof v !== 'boolean') throw new EncodeError(`${at}: expected true or false`);
    return v ? 1n : 0n;
  }
  if (def.type === 'enum' && typeof v === 'string' && !/^-?\d+$/.test(v)) {
    const ordinal = def.enum?.indexOf(v) ?? -1;
    if (ordinal < 0) throw new EncodeError(`${at}: ${JSON.stringify(v)} is not one of ${def.enum?.join(', ')}`);
    return BigInt(ordinal);
  }
  let n: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v);
  else throw new EncodeError(`${at}: expected an integer, got ${JSON.stringify(v)}`);
  switch (def.type) {
    case 'int32': case 'enum': return BigInt.asUintN(64, BigInt.asIntN(32, n));
    case 'short': return BigInt.asUintN(32, BigInt.asIntN(16, n));
    case 'uint32': return BigInt.asUintN(32, n);
    default: return BigInt.asUintN(64, n);
  }
}

function writeTag(w: Writer, no: number, wire: number): void {
  writeVarint(w, BigInt((no << 3) | wire));
}

function writeLengthDelimited(w: Writer, bytes: Uint8Array): void {
  writeVarint(w, BigInt(bytes.length));
  w.bytes(bytes);
}

function hexBytes(v: string, at: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new EncodeError(`${at}: expected hex`);
  const out = new Uint8Array(v.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(v.substr(2 * i, 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

export function fromBase64(text: string, at = 'base64'): Uint8Array {
  const clean = text.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new EncodeError(`${at}: not Base64`);
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of clean.replace(/=+$/, '')) {
    acc = (acc << 6) | B64.indexOf(c);
    bits += 6;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return Uint8Array.from(out);
}

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
  for (const f of scanForDecode(b, start, end)) {
    const { no, wire, start: at, end: next, valueStart } = f;
    if (wire === 2) out.push({ no, wire, start: at, end: next, valueStart });
    else out.push({ no, wire, start: at, end: next, valueStart, varint: wire === 0 ? f.big ?? BigInt(f.num) : undefined });
  }
  return out;
}

export interface PbDecoded {
  node: FieldNode;
  value: { [key: string]: JsonValue };
  notes: Note[];
  /**
   * True when the bytes are exactly what encoding `value` with the same table writes (fields in number order, once
   * each, minimal varints, ASCII text…), so that encodesTo needs not run; false means "not known": ask encodesTo.
   */
  canonical: boolean;
}

const WIRE_FOR: Record<PbType, number> = {
  int32: 0, int64: 0, uint32: 0, uint64: 0, bool: 0, enum: 0, short: 0,
  string: 2, bytes: 2, message: 2, dynamic: 2, raw: -1,
};

/**
 * A raw field as the decoder's own scan records it: a varint below 2^49 (about every varint on these wires) is
 * kept as a number, so tags, lengths and values cost no BigInt; longer ones keep the exact bigint.
 */
interface ScannedField {
  no: number;
  wire: number;
  start: number;
  end: number;
  valueStart: number;
  /** A varint's value (wire 0) when below 2^49, else see `big`. */
  num: number;
  big?: bigint;
}

/** Result of readVar (module scratch rather than a tuple per varint): the value, as a number or (long) a bigint. */
let varNum = 0;
let varBig: bigint | undefined;

/** readVarint for the decoder: up to 7 bytes as a number, anything longer or cut through readVarint (same errors). */
function readVar(b: Uint8Array, pos: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = pos; i < end && i < pos + 7; i++) {
    const byte = b[i];
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) { varNum = v; varBig = undefined; return i + 1; }
    mul *= 128;
  }
  const [big, next] = readVarint(b, pos, end);
  varBig = big;
  varNum = Number(big);
  return next;
}

/** scanFields for the decoder (same checks, same errors, in the same order). */
function scanForDecode(b: Uint8Array, start: number, end: number): ScannedField[] {
  const out: ScannedField[] = [];
  let pos = start;
  while (pos < end) {
    const afterTag = readVar(b, pos, end);
    let no: number;
    let wire: number;
    if (varBig === undefined) { no = Math.floor(varNum / 8); wire = varNum % 8; }
    else { no = Number(varBig >> 3n); wire = Number(varBig & 7n); }
    if (no === 0) throw new Error(`field number 0 at offset ${pos}`);
    let next: number;
    let num = 0;
    let big: bigint | undefined;
    switch (wire) {
      case 0: next = readVar(b, afterTag, end); num = varNum; big = varBig; break;
      case 1: next = afterTag + 8; break;
      case 5: next = afterTag + 4; break;
      case 2: {
        const afterLen = readVar(b, afterTag, end);
        if (varBig !== undefined) {
          if (varBig > BigInt(end - afterLen)) throw new Truncated(afterLen, Number(varBig), end - afterLen);
        } else if (varNum > end - afterLen) throw new Truncated(afterLen, varNum, end - afterLen);
        out.push({ no, wire, start: pos, end: afterLen + varNum, valueStart: afterLen, num: 0 });
        pos = afterLen + varNum;
        continue;
      }
      default: throw new Error(`unsupported wire type ${wire} at offset ${pos}`);
    }
    if (next > end) throw new Truncated(afterTag, next - afterTag, end - afterTag);
    const f: ScannedField = { no, wire, start: pos, end: next, valueStart: afterTag, num };
    if (big !== undefined) f.big = big;
    out.push(f);
    pos = next;
  }
  return out;
}

function fieldByNo(table: PbMessage | undefined, no: number): PbField | undefined {
  if (!table) return undefined;
  const fields = table.fields;
  for (let i = 0; i < fields.length; i++) if (fields[i].no === no) return fields[i];
  return undefined;
}

/** A repeated field name becomes an array of its values, in wire order. */
function putValue(value: { [key: string]: JsonValue }, repeated: Set<string>, name: string, v: JsonValue): void {
  if (!(name in value)) value[name] = v;
  else if (repeated.has(name)) (value[name] as JsonValue[]).push(v);
  else { value[name] = [value[name], v]; repeated.add(name); }
}

/**
 * Decodes a message with its table (or none: generic). Fields of the table become nodes `<base>.<name>`; unknown
 * numbers become generic nodes without abbrev. Throws on malformed wire data (callers add the note).
 */
export function decodeMessage(b: Uint8Array, start: number, end: number, table: PbMessage | undefined, base: string, label: string, opts: PbOptions): PbDecoded {
  const notes: Note[] = [];
  const children: FieldNode[] = [];
  const node: FieldNode = { abbrev: base, label, start, length: end - start, children };
  const value: { [key: string]: JsonValue } = {};
  const repeated = new Set<string>();
  // What writeMessage would do with the value is tracked field by field (see PbDecoded.canonical): it writes the
  // class first, then the table's fields in number order, each with minimal varints.
  let canonical = table !== undefined && tableInfo(table).unique;
  let lastNo = 0;
  let index = -1;
  for (const f of scanForDecode(b, start, end)) {
    index++;
    const def = fieldByNo(table, f.no);
    const length = f.end - f.start;
    if (canonical && !minimalHead(b, f)) canonical = false;
    if (f.no === CLASS_FIELD && f.wire === 2) {
      const className = fromUtf8(b, f.valueStart, f.end);
      value[CLASS_KEY] = className;
      children.push({ label: `class ${className}`, start: f.start, length, value: className });
      if (index !== 0 || !isAscii(b, f.valueStart, f.end)) canonical = false;
      continue;
    }
    if (canonical && (!def || def.type === 'raw' || def.no <= lastNo || def.no >= 1 << 28)) canonical = false;
    lastNo = f.no;
    if (!def || (WIRE_FOR[def.type] !== f.wire && def.type !== 'raw')) {
      if (def) {
        const msg = `${base}.${def.name}: wire type ${f.wire} does not match ${def.type}`;
        notes.push({ severity: 'warn', message: msg });
      }
      children.push(genericNode(b, f));
      continue;
    }
    const abbrev = `${base}.${def.name}`;
    if (f.wire === 0) {
      const v = f.big === undefined ? smallScalarValue(f.num, def, opts) : scalarValue(f.big, def, opts);
      const child: FieldNode = { abbrev, label: def.name, start: f.start, length, value: v as FieldValue };
      if (def.type === 'enum' && def.enum) child.display = `${def.enum[f.num] ?? 'unknown'} (${f.big ?? f.num})`;
      children.push(child);
      putValue(value, repeated, def.name, v);
      if (canonical && (f.big !== undefined || smallScalarToVarint(def, v) !== f.num)) canonical = false;
    } else if (def.type === 'string') {
      const v = fromUtf8(b, f.valueStart, f.end);
      children.push({ abbrev, label: def.name, start: f.start, length, value: v });
      putValue(value, repeated, def.name, v);
      if (canonical && !isAscii(b, f.valueStart, f.end)) canonical = false;
    } else if (def.type === 'bytes') {
      const v = opts.bytesAs === 'base64' ? toBase64(b.subarray(f.valueStart, f.end)) : toHex(b, f.valueStart, f.end);
      children.push({ abbrev, label: def.name, start: f.start, length, value: v });
      putValue(value, repeated, def.name, v);
    } else if (def.type === 'raw') {
      const child = genericNode(b, f);
      child.label = def.name;
      children.push(child);
      canonical = false;
    } else {
      let sub = def.message;
      if (def.type === 'dynamic') {
        const className = peekClassName(b, f.valueStart, f.end);
        sub = className ? opts.resolveClass?.(className) : undefined;
      }
      const inner = decodeMessage(b, f.valueStart, f.end, sub, abbrev, def.name, opts);
      inner.node.start = f.start;
      inner.node.length = length;
      if (inner.value[CLASS_KEY]) inner.node.display = String(inner.value[CLASS_KEY]);
      children.push(inner.node);
      for (const n of inner.notes) notes.push(n);
      putValue(value, repeated, def.name, inner.value);
      if (!inner.canonical || sub === undefined) canonical = false;
    }
  }
  return { node, value, notes, canonical: canonical && notes.length === 0 };
}

function isAscii(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return false;
  return true;
}

/** A varint at `at` is minimal (what writeNumber writes) when it is one byte or its last byte is not 0; −1 if not. */
function minimalVarintEnd(b: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && b[i] >= 0x80) i++;
  if (i >= end) return -1;
  return i === at || b[i] !== 0 ? i + 1 : -1;
}

/** Whether a field's tag, and its length or varint value, are written the way the encoder writes them. */
function minimalHead(b: Uint8Array, f: ScannedField): boolean {
  const afterTag = minimalVarintEnd(b, f.start, f.end);
  if (afterTag < 0) return false;
  if (f.wire === 2) return minimalVarintEnd(b, afterTag, f.valueStart) === f.valueStart;
  if (f.wire === 0) return minimalVarintEnd(b, f.valueStart, f.end) === f.end;
  return false;
}

function peekClassName(b: Uint8Array, start: number, end: number): string | undefined {
  try {
    for (const f of scanForDecode(b, start, end)) if (f.no === CLASS_FIELD && f.wire === 2) return fromUtf8(b, f.valueStart, f.end);
  } catch { /* the caller reports malformed data */ }
  return undefined;
}

/** scalarValue for a varint below 2^49, with number arithmetic that gives the same results as the BigInt one. */
function smallScalarValue(v: number, def: PbField, opts: PbOptions): JsonValue {
  switch (def.type) {
    case 'int32': return v | 0;
    case 'uint32': return v >>> 0;
    case 'short': return (v << 16) >> 16;
    case 'bool': return v !== 0;
    case 'enum': return def.enum?.[v] ?? v;
    default: return opts.int64 === 'string' ? String(v) : v;
  }
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
function genericNode(b: Uint8Array, f: ScannedField): FieldNode {
  const start = f.start;
  const length = f.end - f.start;
  if (f.wire === 0) return { label: `field ${f.no} (varint)`, start, length, value: (f.big ?? f.num).toString() };
  if (f.wire === 2) {
    const text = fromUtf8(b, f.valueStart, f.end);
    const printable = /^[\x20-\x7e\u00a0-\uffff]*$/.test(text);
    const node: FieldNode = { label: `field ${f.no} (length-delimited)`, start, length, value: toHex(b, f.valueStart, f.end) };
    if (printable && text) node.display = JSON.stringify(text);
    return node;
  }
  return { label: `field ${f.no} (${f.wire === 1 ? 'fixed64' : 'fixed32'})`, start, length, value: toHex(b, f.valueStart, f.end) };
}

/** Encodes a JSON view with its table: fields in table order (protostuff writes by field number), nulls skipped. */
export function encodeMessage(value: { [key: string]: JsonValue }, table: PbMessage, opts: PbOptions, where: string, w?: Writer): Uint8Array {
  const out: number[] = [];
  writeMessage(out, value, table, opts, where);
  const bytes = new Uint8Array(out);
  if (!w) return bytes;
  w.bytes(bytes);
  return w.finish();
}

/**
 * Whether encoding `value` gives exactly b[start..end): decoders' round-trip check (is the JSON view the document?)
 * without building the bytes. Throws what encodeMessage throws.
 */
export function encodesTo(
  value: { [key: string]: JsonValue }, table: PbMessage, opts: PbOptions, where: string, b: Uint8Array, start: number, end: number,
): boolean {
  const out: number[] = [];
  writeMessage(out, value, table, opts, where);
  if (out.length !== end - start) return false;
  for (let i = 0; i < out.length; i++) if (out[i] !== b[start + i]) return false;
  return true;
}

/** Per table, computed once: the member names it accepts and its fields in field-number order. */
interface TableInfo { known: Set<string>; sorted: PbField[]; /** No two fields share a number or a name. */ unique: boolean }
const TABLE_INFO = new WeakMap<PbMessage, TableInfo>();

function tableInfo(table: PbMessage): TableInfo {
  let info = TABLE_INFO.get(table);
  if (!info) {
    const known = new Set([CLASS_KEY, ...table.fields.map((f) => f.name)]);
    const unique = new Set(table.fields.map((f) => f.no)).size === table.fields.length
      && new Set(table.fields.map((f) => f.name)).size === table.fields.length && !table.fields.some((f) => f.name === CLASS_KEY);
    info = { known, sorted: [...table.fields].sort((a, b) => a.no - b.no), unique };
    TABLE_INFO.set(table, info);
  }
  return info;
}

/** The encoder writes byte values into a plain array: cheaper than a Writer (an ArrayBuffer each) for these sizes. */
type Out = number[];

function writeMessage(w: Out, value: { [key: string]: JsonValue }, table: PbMessage, opts: PbOptions, where: string): void {
  const className = value[CLASS_KEY];
  if (typeof className === 'string') { writeTag(w, CLASS_FIELD, 2); writeText(w, className); }
  const { known, sorted } = tableInfo(table);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new EncodeError(`${where}.${key}: not a field of ${table.name}`);
  for (const def of sorted) {
    const v = value[def.name];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && def.type !== 'raw') for (const item of v) writeField(w, def, item, opts, where);
    else writeField(w, def, v, opts, where);
  }
}

/** `where` names the message: the field's own path is built only when needed (errors, nested messages). */
function writeField(w: Out, def: PbField, v: JsonValue, opts: PbOptions, where: string): void {
  // Scalars of the usual kinds first: no path string at all.
  if (WIRE_FOR[def.type] === 0) {
    const n = smallScalarToVarint(def, v);
    if (n >= 0) { writeTag(w, def.no, 0); writeNumber(w, n); return; }
  }
  const at = `${where}.${def.name}`;
  switch (def.type) {
    case 'string':
      if (typeof v !== 'string') throw new EncodeError(`${at}: expected a string`);
      writeTag(w, def.no, 2); writeText(w, v); return;
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
      const inner: Out = [];
      writeMessage(inner, v, table!, opts, at);
      writeTag(w, def.no, 2);
      writeNumber(w, inner.length);
      for (let i = 0; i < inner.length; i++) w.push(inner[i]);
      return;
    }
    case 'raw':
      throw new EncodeError(`${at}: cannot encode a field shown as raw protobuf`);
    default: {
      writeTag(w, def.no, 0);
      writeBig(w, scalarToVarint(def, v, at));
    }
  }
}

/**
 * scalarToVarint with number arithmetic for the usual small values: the varint as a number, or −1 when only the
 * BigInt path can say (negative results, big or non-integer input, errors to report).
 */
function smallScalarToVarint(def: PbField, v: JsonValue): number {
  if (def.type === 'bool') return v === true ? 1 : v === false ? 0 : -1;
  let n: number;
  if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
  else if (typeof v === 'string' && v.length <= 15 && /^-?\d+$/.test(v)) n = Number(v);
  else if (def.type === 'enum' && typeof v === 'string' && !/^-?\d+$/.test(v)) return def.enum?.indexOf(v) ?? -1;
  else return -1;
  if (n === 0) n = 0; // -0
  switch (def.type) {
    case 'int32': case 'enum': { const i = n | 0; return i >= 0 ? i : -1; }
    case 'short': return ((n << 16) >> 16) >>> 0;
    case 'uint32': return n >>> 0;
    default: return n >= 0 ? n : -1;
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

/** A varint of a non-negative safe integer (what writeVarint writes for it). */
function writeNumber(w: Out, v: number): void {
  while (v >= 0x80) { w.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
  w.push(v);
}

function writeBig(w: Out, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) { w.push(Number(x & 0x7fn) | 0x80); x >>= 7n; }
  w.push(Number(x));
}

function writeTag(w: Out, no: number, wire: number): void {
  const tag = (no << 3) | wire;
  if (tag >= 0) writeNumber(w, tag);
  else writeBig(w, BigInt(tag));
}

function writeLengthDelimited(w: Out, bytes: Uint8Array): void {
  writeNumber(w, bytes.length);
  for (let i = 0; i < bytes.length; i++) w.push(bytes[i]);
}

/** A string as UTF-8 with its length; ASCII (the usual case) straight from the char codes. */
function writeText(w: Out, text: string): void {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) { writeLengthDelimited(w, utf8(text)); return; }
  }
  writeNumber(w, text.length);
  for (let i = 0; i < text.length; i++) w.push(text.charCodeAt(i));
}

function hexBytes(v: string, at: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(v)) throw new EncodeError(`${at}: expected hex`);
  const out = new Uint8Array(v.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(v.substr(2 * i, 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Character code → Base64 digit value, −1 for anything else (codes above 127 read as undefined: not ≥ 0). */
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Two Base64 digits per entry (12 bits): half the concatenations of one digit at a time. */
let B64_PAIRS: string[] | undefined;

export function toBase64(bytes: Uint8Array): string {
  const pairs = (B64_PAIRS ??= Array.from({ length: 4096 }, (_, n) => B64[n >> 6] + B64[n & 63]));
  const n = bytes.length;
  const whole = n - (n % 3);
  let out = '';
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += pairs[v >> 12] + pairs[v & 4095];
  }
  if (whole === n) return out;
  const v = (bytes[whole] << 16) | ((bytes[whole + 1] ?? 0) << 8);
  out += B64[(v >> 18) & 63] + B64[(v >> 12) & 63];
  out += whole + 1 < n ? B64[(v >> 6) & 63] : '=';
  return `${out}=`;
}

export function fromBase64(text: string, at = 'base64'): Uint8Array {
  // Plain Base64 (no whitespace, padding only at the end): decoded with a table, straight into the result.
  let n = text.length;
  let pad = 0;
  while (pad < 2 && n > 0 && text.charCodeAt(n - 1) === 0x3d) { n--; pad++; }
  let plain = (n + pad) % 4 !== 1;
  for (let i = 0; plain && i < n; i++) plain = B64_VALUE[text.charCodeAt(i)] >= 0;
  if (plain) {
    const out = new Uint8Array((n * 6) >> 3);
    let bits = 0;
    let acc = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      acc = (acc << 6) | B64_VALUE[text.charCodeAt(i)];
      bits += 6;
      if (bits >= 8) { bits -= 8; out[k++] = (acc >> bits) & 0xff; }
    }
    return out;
  }
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

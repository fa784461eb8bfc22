/**
 * The declarative vocabulary protocols are written in (after Kaitai Struct): integers of any width and byte order,
 * length-prefixed strings and bytes, counted repeats, conditions, switches, derived lengths, generated fields and
 * custom elements. One list of elements gives decode (value + field tree with byte ranges), encode (lengths and
 * counts filled in unless the document overrides them), the field catalog, JSON Schema and a template.
 */
import { Charset, decodeText, encodeText, toHex, fromHex, asciiPreview, utf8Length, HexError } from './bytes';
import { Reader, Truncated } from './reader';
import { Writer } from './writer';
import type { FieldNode, FieldValue, Note } from './tree';

/** A message document: field names without the protocol prefix, N8-typed values, nested lists for repeats. */
export type Doc = Record<string, unknown>;

export type FieldType =
  | 'u8' | 'u16' | 'u32' | 'u64' | 'i8' | 'i16' | 'i32' | 'i64'
  | 'number' | 'string' | 'bytes' | 'boolean' | 'json' | 'none';

export interface CatalogEntry {
  abbrev: string;
  type: FieldType;
  label: string;
  description?: string;
  /** Value names, keyed by the value as text. */
  enum?: Record<string, string>;
  generated?: boolean;
  /** The abbrev is a base under which decoded JSON members appear (`hodor.body.`): members are not listed. */
  dynamic?: boolean;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  title?: string;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  const?: unknown;
  additionalProperties?: boolean | JsonSchema;
  markdownEnumDescriptions?: string[];
  [key: string]: unknown;
}

/** JSON Schema keyword marking a property the encoder computes (sizes, lengths, counts): optional overrides. */
export const DERIVED = 'x-derived';

export interface DecodeState {
  r: Reader;
  prefix: string;
  notes: Note[];
  charset: Charset;
  /** Named byte positions (`@start`, `@end`, marks set by elements) that derived lengths are measured between. */
  marks: Record<string, number>;
  derived: DerivedCheck[];
  /** The message document being filled, for conditions that look at fields outside the current list item. */
  root: Doc;
  /** Free-form context a protocol passes down (direction, paired request, variant). */
  context: Record<string, unknown>;
}

export interface EncodeState {
  w: Writer;
  prefix: string;
  charset: Charset;
  marks: Record<string, number>;
  patches: DerivedPatch[];
  root: Doc;
  context: Record<string, unknown>;
}

/** A size relation: value = marks[to] − marks[from] + add. */
export interface SizeOf {
  from: string;
  to: string;
  add?: number;
}

interface DerivedCheck {
  name: string;
  value: number;
  size: SizeOf;
  node: FieldNode;
  doc: Doc;
}

interface DerivedPatch {
  at: number;
  int: IntType;
  size: SizeOf;
}

export interface Element {
  decode(s: DecodeState, doc: Doc, tree: FieldNode[]): void;
  encode(s: EncodeState, doc: Doc): void;
  catalog(prefix: string, out: CatalogEntry[]): void;
  jsonSchema(props: Record<string, JsonSchema>, required: string[]): void;
  template(doc: Doc): void;
}

export class EncodeError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Integers

export type IntType =
  | 'u1' | 's1' | 'u2be' | 'u2le' | 's2be' | 's2le' | 'u4be' | 'u4le' | 's4be' | 's4le'
  | 'u8be' | 'u8le' | 's8be' | 's8le';

interface IntInfo { size: 1 | 2 | 4 | 8; signed: boolean; le: boolean; type: FieldType; min: number | bigint; max: number | bigint }

const INT_INFO: Record<IntType, IntInfo> = {
  u1: { size: 1, signed: false, le: false, type: 'u8', min: 0, max: 0xff },
  s1: { size: 1, signed: true, le: false, type: 'i8', min: -0x80, max: 0x7f },
  u2be: { size: 2, signed: false, le: false, type: 'u16', min: 0, max: 0xffff },
  u2le: { size: 2, signed: false, le: true, type: 'u16', min: 0, max: 0xffff },
  s2be: { size: 2, signed: true, le: false, type: 'i16', min: -0x8000, max: 0x7fff },
  s2le: { size: 2, signed: true, le: true, type: 'i16', min: -0x8000, max: 0x7fff },
  u4be: { size: 4, signed: false, le: false, type: 'u32', min: 0, max: 0xffffffff },
  u4le: { size: 4, signed: false, le: true, type: 'u32', min: 0, max: 0xffffffff },
  s4be: { size: 4, signed: true, le: false, type: 'i32', min: -0x80000000, max: 0x7fffffff },
  s4le: { size: 4, signed: true, le: true, type: 'i32', min: -0x80000000, max: 0x7fffffff },
  u8be: { size: 8, signed: false, le: false, type: 'u64', min: 0n, max: 0xffffffffffffffffn },
  u8le: { size: 8, signed: false, le: true, type: 'u64', min: 0n, max: 0xffffffffffffffffn },
  s8be: { size: 8, signed: true, le: false, type: 'i64', min: -0x8000000000000000n, max: 0x7fffffffffffffffn },
  s8le: { size: 8, signed: true, le: true, type: 'i64', min: -0x8000000000000000n, max: 0x7fffffffffffffffn },
};

export function intSize(t: IntType): number {
  return INT_INFO[t].size;
}

/** Reads an integer; 64-bit values come back as decimal strings (N8). */
export function readInt(r: Reader, t: IntType): number | string {
  const i = INT_INFO[t];
  switch (i.size) {
    case 1: return i.signed ? r.i8() : r.u8();
    case 2: return i.signed ? r.i16(i.le) : r.u16(i.le);
    case 4: return i.signed ? r.i32(i.le) : r.u32(i.le);
    default: return (i.signed ? r.i64(i.le) : r.u64(i.le)).toString();
  }
}

export function writeInt(w: Writer, t: IntType, v: number | bigint): void {
  const i = INT_INFO[t];
  switch (i.size) {
    case 1: w.u8(Number(v)); break;
    case 2: w.u16(Number(v), i.le); break;
    case 4: w.u32(Number(v), i.le); break;
    default: w.u64(BigInt(v), i.le);
  }
}

/** Accepts a document value for an integer field: a number, or a decimal string (any width). */
export function coerceInt(v: unknown, t: IntType, where: string): number | bigint {
  const i = INT_INFO[t];
  let big: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) big = BigInt(v.trim());
  else if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v.trim())) big = BigInt(v.trim());
  else if (typeof v === 'bigint') big = v;
  else throw new EncodeError(`${where}: expected an integer, got ${JSON.stringify(v)}`);
  if (big < BigInt(i.min) || big > BigInt(i.max)) throw new EncodeError(`${where}: ${big} does not fit in ${i.type}`);
  return i.size === 8 ? big : Number(big);
}

export interface IntOptions {
  label?: string;
  description?: string;
  /** Value names; the tree shows `value (name)`. */
  enum?: Record<number, string>;
  /** Written when the document omits the field. */
  default?: number | string;
  /** Value the protocol expects: anything else decodes with a warn note. */
  expect?: number;
  /** The value is a size computed at encode time; a document value overrides it (deliberately broken frames). */
  sizeOf?: SizeOf;
  /** Sets a mark right after this field, named `<name>:after`. */
  markAfter?: boolean;
}

/** `<prefix>.<name>`, built once per prefix rather than on every decode (each decoded field needs its abbrev). */
function abbrevOf(name: string): (prefix: string) => string {
  let lastPrefix: string | undefined;
  let last = '';
  return (prefix) => {
    if (prefix !== lastPrefix) { lastPrefix = prefix; last = `${prefix}.${name}`; }
    return last;
  };
}

function enumDisplay(value: number | string, names?: Record<number, string>): string | undefined {
  if (!names) return undefined;
  const name = names[value as number];
  return name === undefined ? `${value} (unknown)` : `${value} (${name})`;
}

export function int(name: string, type: IntType, opts: IntOptions = {}): Element {
  const info = INT_INFO[type];
  const label = opts.label ?? name;
  const abbrev = abbrevOf(name);
  const afterMark = `${name}:after`;
  return {
    decode(s, doc, tree) {
      const start = s.r.pos;
      const value = readInt(s.r, type);
      const node: FieldNode = { abbrev: abbrev(s.prefix), label, start, length: info.size, value };
      const display = enumDisplay(value, opts.enum);
      if (display) node.display = display;
      tree.push(node);
      if (opts.markAfter || opts.sizeOf) s.marks[afterMark] = s.r.pos;
      if (opts.sizeOf) s.derived.push({ name, value: Number(value), size: opts.sizeOf, node, doc });
      else doc[name] = value;
      if (opts.expect !== undefined && value !== opts.expect) {
        const msg = `${name} is ${value}, expected ${opts.expect}`;
        (node.notes ??= []).push({ severity: 'warn', message: msg });
        s.notes.push({ severity: 'warn', message: msg });
      }
    },
    encode(s, doc) {
      const given = doc[name];
      if (opts.sizeOf && given === undefined) {
        s.patches.push({ at: s.w.pos, int: type, size: opts.sizeOf });
        writeInt(s.w, type, 0);
      } else {
        const v = given ?? opts.default ?? opts.expect ?? 0;
        writeInt(s.w, type, coerceInt(v, type, `${s.prefix}.${name}`));
      }
      if (opts.markAfter || opts.sizeOf) s.marks[afterMark] = s.w.pos;
    },
    catalog(prefix, out) {
      out.push({
        abbrev: `${prefix}.${name}`, type: info.type, label, description: opts.description,
        ...(opts.enum ? { enum: stringKeys(opts.enum) } : {}),
      });
    },
    jsonSchema(props, required) {
      const schema: JsonSchema = info.size === 8
        ? { type: ['string', 'integer'], pattern: info.signed ? '^-?\\d+$' : '^\\d+$', description: describe(label, opts.description, '64-bit integer as a decimal string') }
        : { type: 'integer', minimum: Number(info.min), maximum: Number(info.max), description: describe(label, opts.description) };
      if (opts.enum) {
        schema.anyOf = [
          { enum: Object.keys(opts.enum).map(Number), markdownEnumDescriptions: Object.values(opts.enum) },
          { type: schema.type as string },
        ];
      }
      if (opts.sizeOf) { schema.description = `${schema.description ?? label} — computed when absent; set it to send a deliberately wrong value`; schema[DERIVED] = true; }
      else if (opts.default !== undefined || opts.expect !== undefined) schema.default = opts.default ?? opts.expect;
      props[name] = schema;
    },
    template(doc) {
      if (opts.sizeOf) return;
      doc[name] = opts.default ?? opts.expect ?? (info.size === 8 ? '0' : 0);
    },
  };
}

function stringKeys(names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(names)) out[k] = v;
  return out;
}

function describe(label: string, description?: string, extra?: string): string {
  return [label, description, extra].filter(Boolean).join(' — ');
}

/** Sets a named mark at the current position (for sizes measured from it). */
export function mark(name: string): Element {
  return {
    decode(s) { s.marks[name] = s.r.pos; },
    encode(s) { s.marks[name] = s.w.pos; },
    catalog() {},
    jsonSchema() {},
    template() {},
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Strings and bytes with a length prefix (N4: the prefix is the field `<name>_len`)

export interface LengthPrefixedOptions {
  label?: string;
  description?: string;
  /** Overrides the connection's charset for this field. */
  charset?: Charset;
  /** A generated sibling computed from the decoded content (e.g. `tt.msg_text`). */
  default?: string;
}

export function str(name: string, lenType: IntType, opts: LengthPrefixedOptions = {}): Element {
  return lengthPrefixed(name, lenType, 'string', opts);
}

export function bytes(name: string, lenType: IntType, opts: LengthPrefixedOptions = {}): Element {
  return lengthPrefixed(name, lenType, 'bytes', opts);
}

function lengthPrefixed(name: string, lenType: IntType, kind: 'string' | 'bytes', opts: LengthPrefixedOptions): Element {
  const lenName = `${name}_len`;
  const lenSize = INT_INFO[lenType].size;
  const label = opts.label ?? name;
  const lenLabel = `${label} length`;
  const abbrev = abbrevOf(name);
  const lenAbbrev = abbrevOf(lenName);
  return {
    decode(s, doc, tree) {
      const lenStart = s.r.pos;
      const declared = Number(readInt(s.r, lenType));
      tree.push({ abbrev: lenAbbrev(s.prefix), label: lenLabel, start: lenStart, length: lenSize, value: declared });
      const start = s.r.pos;
      if (declared < 0 || declared > s.r.remaining) {
        const available = s.r.remaining;
        const node: FieldNode = { abbrev: abbrev(s.prefix), label, start, length: available, value: kind === 'bytes' ? toHex(s.r.bytes, start, start + available) : decodeText(s.r.bytes, start, start + available, opts.charset ?? s.charset) };
        tree.push(node);
        s.r.skip(available); // the partial value's bytes are read, so enclosing groups and items cover them
        throw new Truncated(start, declared, available);
      }
      s.r.skip(declared);
      const value = kind === 'bytes'
        ? toHex(s.r.bytes, start, start + declared)
        : decodeText(s.r.bytes, start, start + declared, opts.charset ?? s.charset);
      const node: FieldNode = { abbrev: abbrev(s.prefix), label, start, length: declared, value };
      if (kind === 'bytes') node.display = `${declared} byte${declared === 1 ? '' : 's'}: ${asciiPreview(s.r.bytes, start, start + declared)}`;
      tree.push(node);
      doc[name] = value;
    },
    encode(s, doc) {
      const v = doc[name] ?? opts.default ?? '';
      if (typeof v !== 'string') throw new EncodeError(`${s.prefix}.${name}: expected a ${kind === 'bytes' ? 'hex ' : ''}string, got ${JSON.stringify(v)}`);
      let content: Uint8Array;
      if (kind === 'bytes') {
        try { content = fromHex(v); } catch (e) { throw new EncodeError(`${s.prefix}.${name}: ${(e as HexError).message}`); }
      } else content = encodeText(v, opts.charset ?? s.charset);
      const override = doc[lenName];
      writeInt(s.w, lenType, override === undefined ? content.length : coerceInt(override, lenType, `${s.prefix}.${lenName}`));
      s.w.bytes(content);
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.${lenName}`, type: INT_INFO[lenType].type, label: `${label} length` });
      out.push({ abbrev: `${prefix}.${name}`, type: kind, label, description: opts.description });
    },
    jsonSchema(props, required) {
      props[name] = kind === 'bytes'
        ? { type: 'string', pattern: '^([0-9a-fA-F]{2})*$', description: describe(label, opts.description, 'bytes as hex') }
        : { type: 'string', description: describe(label, opts.description) };
      props[lenName] = { type: 'integer', minimum: 0, description: `${label} length — computed when absent; set it to send a deliberately wrong value`, [DERIVED]: true };
      required.push(name);
    },
    template(doc) { doc[name] = opts.default ?? ''; },
  };
}

/** Length in UTF-8 bytes of a string document value (for summaries and checks). */
export { utf8Length };

/** The rest of the PDU as raw bytes (unknown bodies, opaque payloads). */
export function restBytes(name: string, opts: { label?: string; description?: string; optional?: boolean } = {}): Element {
  const label = opts.label ?? name;
  const abbrev = abbrevOf(name);
  return {
    decode(s, doc, tree) {
      const start = s.r.pos;
      const n = s.r.remaining;
      if (n === 0 && opts.optional) return;
      s.r.skip(n);
      doc[name] = toHex(s.r.bytes, start, start + n);
      tree.push({ abbrev: abbrev(s.prefix), label, start, length: n, value: doc[name] as string, display: `${n} byte${n === 1 ? '' : 's'}: ${asciiPreview(s.r.bytes, start, start + n)}` });
    },
    encode(s, doc) {
      const v = doc[name] ?? '';
      if (typeof v !== 'string') throw new EncodeError(`${s.prefix}.${name}: expected a hex string`);
      try { s.w.bytes(fromHex(v)); } catch (e) { throw new EncodeError(`${s.prefix}.${name}: ${(e as Error).message}`); }
    },
    catalog(prefix, out) { out.push({ abbrev: `${prefix}.${name}`, type: 'bytes', label, description: opts.description }); },
    jsonSchema(props) { props[name] = { type: 'string', pattern: '^([0-9a-fA-F]{2})*$', description: describe(label, opts.description, 'bytes as hex') }; },
    template(doc) { if (!opts.optional) doc[name] = ''; },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Structure: repeats, conditions, switches, groups

export interface RepeatOptions {
  countLabel?: string;
  /** Label of each item subtree; default: the list name, giving `friend[0]`. */
  itemLabel?: string;
}

/**
 * A count followed by that many items (N5). The count field is `countName`; items are subtrees labelled
 * `<list>[i]` without an abbrev; the document holds them as `doc[list] = [{…}, …]`.
 */
export function repeat(list: string, countName: string, countType: IntType, items: Element[], opts: RepeatOptions = {}): Element {
  const info = INT_INFO[countType];
  const itemLabel = opts.itemLabel ?? list;
  const countAbbrev = abbrevOf(countName);
  return {
    decode(s, doc, tree) {
      const countStart = s.r.pos;
      const count = Number(readInt(s.r, countType));
      tree.push({ abbrev: countAbbrev(s.prefix), label: opts.countLabel ?? countName, start: countStart, length: info.size, value: count });
      const out: Doc[] = [];
      doc[list] = out;
      for (let i = 0; i < count; i++) {
        if (s.r.remaining === 0) throw new Truncated(s.r.pos, 1, 0); // also bounds a bogus huge count
        const item: Doc = {};
        out.push(item);
        const node: FieldNode = { label: `${itemLabel}[${i}]`, start: s.r.pos, length: 0, children: [] };
        tree.push(node);
        try { for (const e of items) e.decode(s, item, node.children!); } finally { node.length = s.r.pos - node.start; }
      }
    },
    encode(s, doc) {
      const v = doc[list] ?? [];
      if (!Array.isArray(v)) throw new EncodeError(`${s.prefix}.${list}: expected an array`);
      const override = doc[countName];
      writeInt(s.w, countType, override === undefined ? v.length : coerceInt(override, countType, `${s.prefix}.${countName}`));
      v.forEach((item, i) => {
        if (typeof item !== 'object' || item === null) throw new EncodeError(`${s.prefix}.${list}[${i}]: expected an object`);
        for (const e of items) e.encode(s, item as Doc);
      });
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.${countName}`, type: info.type, label: opts.countLabel ?? countName });
      for (const e of items) e.catalog(prefix, out);
    },
    jsonSchema(props, required) {
      const itemProps: Record<string, JsonSchema> = {};
      const itemRequired: string[] = [];
      for (const e of items) e.jsonSchema(itemProps, itemRequired);
      props[list] = { type: 'array', items: { type: 'object', properties: itemProps, required: itemRequired, additionalProperties: false }, description: `${itemLabel} items (count: ${countName})` };
      props[countName] = { type: 'integer', minimum: 0, description: `${countName} — computed from ${list} when absent; set it to send a deliberately wrong count`, [DERIVED]: true };
      required.push(list);
    },
    template(doc) {
      const item: Doc = {};
      for (const e of items) e.template(item);
      doc[list] = [item];
    },
  };
}

/** Elements present only when `cond` holds for the document decoded so far (e.g. tt tails when `result` = 0). */
export function when(cond: (doc: Doc, root: Doc) => boolean, elements: Element[], description?: string): Element {
  return {
    decode(s, doc, tree) { if (cond(doc, s.root)) for (const e of elements) e.decode(s, doc, tree); },
    encode(s, doc) { if (cond(doc, s.root)) for (const e of elements) e.encode(s, doc); },
    catalog(prefix, out) { for (const e of elements) e.catalog(prefix, out); },
    jsonSchema(props) {
      const inner: Record<string, JsonSchema> = {};
      for (const e of elements) e.jsonSchema(inner, []);
      for (const [k, v] of Object.entries(inner)) props[k] = { ...v, description: `${v.description ?? k}${description ? ` (only when ${description})` : ''}` };
    },
    template(doc) { const probe: Doc = { ...doc }; if (cond(probe, probe)) for (const e of elements) e.template(doc); },
  };
}

/** Elements chosen by a value of the document (a type code, a command word). */
export function switchOn(select: (doc: Doc, root: Doc) => string | number | undefined, cases: Record<string, Element[]>, fallback: Element[] = []): Element {
  const pick = (doc: Doc, root: Doc): Element[] => cases[String(select(doc, root))] ?? fallback;
  const all = [...Object.values(cases).flat(), ...fallback];
  return {
    decode(s, doc, tree) { for (const e of pick(doc, s.root)) e.decode(s, doc, tree); },
    encode(s, doc) { for (const e of pick(doc, s.root)) e.encode(s, doc); },
    catalog(prefix, out) { for (const e of all) e.catalog(prefix, out); },
    jsonSchema(props) { for (const e of all) e.jsonSchema(props, []); },
    template(doc) { for (const e of pick(doc, doc)) e.template(doc); },
  };
}

/** A labelled subtree (no abbrev) around elements whose values stay in the same document. */
export function group(label: string, elements: Element[]): Element {
  return {
    decode(s, doc, tree) {
      const node: FieldNode = { label, start: s.r.pos, length: 0, children: [] };
      tree.push(node);
      try { for (const e of elements) e.decode(s, doc, node.children!); } finally { node.length = s.r.pos - node.start; }
      if (node.children!.length === 0) tree.pop();
    },
    encode(s, doc) { for (const e of elements) e.encode(s, doc); },
    catalog(prefix, out) { for (const e of elements) e.catalog(prefix, out); },
    jsonSchema(props, required) { for (const e of elements) e.jsonSchema(props, required); },
    template(doc) { for (const e of elements) e.template(doc); },
  };
}

export interface GeneratedOptions {
  label?: string;
  description?: string;
  type: FieldType;
}

/**
 * A field computed, not read (N7). `compute` returns the value and the byte range it was derived from, or
 * undefined when the field does not apply. Generated fields never enter the document.
 */
export function generated(name: string, compute: (doc: Doc, s: DecodeState) => { value: FieldValue; start?: number; length?: number; display?: string } | undefined, opts: GeneratedOptions): Element {
  const label = opts.label ?? name;
  const abbrev = abbrevOf(name);
  return {
    decode(s, doc, tree) {
      const got = compute(doc, s);
      if (!got) return;
      const node: FieldNode = { abbrev: abbrev(s.prefix), label, start: got.start ?? s.r.pos, length: got.length ?? 0, value: got.value, generated: true };
      if (got.display) node.display = got.display;
      tree.push(node);
    },
    encode() {},
    catalog(prefix, out) { out.push({ abbrev: `${prefix}.${name}`, type: opts.type, label, description: opts.description, generated: true }); },
    jsonSchema() {},
    template() {},
  };
}

/** Any element written by hand (JSON bodies, protobuf, Java serialization) that still joins the declaration. */
export function custom(element: Element): Element {
  return element;
}

// ---------------------------------------------------------------------------------------------------------------
// Drivers

export interface DecodeResult {
  doc: Doc;
  tree: FieldNode[];
  notes: Note[];
  /** Bytes consumed by the elements. */
  consumed: number;
  /** The decode stopped early (truncation or a bad value). */
  failed: boolean;
}

export interface DecodeRunOptions {
  prefix: string;
  charset?: Charset;
  context?: Record<string, unknown>;
  start?: number;
  end?: number;
  /** A caller-provided document to fill (to continue one started by a header). */
  doc?: Doc;
  marks?: Record<string, number>;
}

/**
 * Runs elements over `bytes` and returns whatever could be decoded. Never throws: truncation and bad values
 * become error notes on a partial tree.
 */
export function decodeElements(elements: readonly Element[], bytes: Uint8Array, opts: DecodeRunOptions): DecodeResult {
  const start = opts.start ?? 0;
  const end = opts.end ?? bytes.length;
  const doc = opts.doc ?? {};
  const s: DecodeState = {
    r: new Reader(bytes, start, end),
    prefix: opts.prefix,
    notes: [],
    charset: opts.charset ?? 'utf-8',
    marks: opts.marks ? { ...opts.marks, '@start': 0, '@end': end } : { '@start': 0, '@end': end },
    derived: [],
    root: doc,
    context: opts.context ?? {},
  };
  const tree: FieldNode[] = [];
  let failed = false;
  try {
    for (const e of elements) e.decode(s, doc, tree);
  } catch (e) {
    failed = true;
    s.notes.push({ severity: 'error', message: e instanceof Truncated ? e.message : `decode error: ${(e as Error).message}` });
  }
  for (const d of s.derived) {
    const expected = sizeBetween(s.marks, d.size);
    if (expected === undefined || expected !== d.value) {
      d.doc[d.name] = d.value; // keep the wire value so re-encoding reproduces the bytes
      if (expected !== undefined && !failed) {
        const msg = `${d.name} is ${d.value}, but the bytes give ${expected}`;
        (d.node.notes ??= []).push({ severity: 'warn', message: msg });
        s.notes.push({ severity: 'warn', message: msg });
      }
    }
  }
  return { doc, tree, notes: s.notes, consumed: s.r.pos - start, failed };
}

function sizeBetween(marks: Record<string, number>, size: SizeOf): number | undefined {
  const from = marks[size.from];
  const to = marks[size.to];
  if (from === undefined || to === undefined) return undefined;
  return to - from + (size.add ?? 0);
}

export interface EncodeRunOptions {
  prefix: string;
  charset?: Charset;
  context?: Record<string, unknown>;
}

/** Encodes a document with elements and fills in derived sizes. Throws EncodeError with the field at fault. */
export function encodeElements(elements: readonly Element[], doc: Doc, opts: EncodeRunOptions): Uint8Array {
  const s: EncodeState = {
    w: new Writer(),
    prefix: opts.prefix,
    charset: opts.charset ?? 'utf-8',
    marks: { '@start': 0 },
    patches: [],
    root: doc,
    context: opts.context ?? {},
  };
  for (const e of elements) e.encode(s, doc);
  s.marks['@end'] = s.w.pos;
  for (const p of s.patches) {
    const v = sizeBetween(s.marks, p.size);
    if (v === undefined) throw new EncodeError(`${opts.prefix}: size relation ${p.size.from} → ${p.size.to} has no mark`);
    const info = INT_INFO[p.int];
    s.w.patch(p.at, info.size, info.size === 8 ? BigInt(v) : v, info.le);
  }
  return s.w.finish();
}

export function catalogOf(elements: readonly Element[], prefix: string): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  for (const e of elements) e.catalog(prefix, out);
  return out;
}

export function schemaOf(elements: readonly Element[], title?: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const e of elements) e.jsonSchema(properties, required);
  return { type: 'object', title, properties, required: [...new Set(required)], additionalProperties: true };
}

export function templateOf(elements: readonly Element[]): Doc {
  const doc: Doc = {};
  for (const e of elements) e.template(doc);
  return doc;
}

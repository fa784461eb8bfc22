/**
 * Java object serialization as Netty's compact object streams write it (PROTOCOLS.md §4.2): the one-byte stream
 * header `05`, thin (`01` + class name) and fat (`00` + standard) class descriptors, TC_NULL, TC_REFERENCE,
 * TC_CLASSDESC, TC_OBJECT, TC_STRING, TC_LONGSTRING, TC_ARRAY and TC_ENDBLOCKDATA, with handles numbered from
 * 0x7e0000 in the order ObjectOutputStream assigns them. Thin descriptors carry no field list, so the caller supplies
 * the classes' fields. Anything else (block data, reset, exceptions, proxies, enums, externalizable objects) stops
 * the decode with an error note and the rest shown raw.
 *
 * The decoder returns the value model (objects, strings, arrays, references with their handles and byte ranges) and
 * the field tree; the writer produces the same grammar, so a protocol can re-emit captured references exactly.
 */
import { asciiPreview, latin1Text, toHex } from './bytes';
import { jsonQuote } from './json';
import { Reader, Truncated } from './reader';
import { EncodeError } from './schema';
import type { FieldNode, Note } from './tree';
import { Writer } from './writer';

export const TC_NULL = 0x70;
export const TC_REFERENCE = 0x71;
export const TC_CLASSDESC = 0x72;
export const TC_OBJECT = 0x73;
export const TC_STRING = 0x74;
export const TC_ARRAY = 0x75;
export const TC_ENDBLOCKDATA = 0x78;
export const TC_LONGSTRING = 0x7c;

const TC_NAMES: Record<number, string> = {
  0x70: 'TC_NULL', 0x71: 'TC_REFERENCE', 0x72: 'TC_CLASSDESC', 0x73: 'TC_OBJECT', 0x74: 'TC_STRING',
  0x75: 'TC_ARRAY', 0x76: 'TC_CLASS', 0x77: 'TC_BLOCKDATA', 0x78: 'TC_ENDBLOCKDATA', 0x79: 'TC_RESET',
  0x7a: 'TC_BLOCKDATALONG', 0x7b: 'TC_EXCEPTION', 0x7c: 'TC_LONGSTRING', 0x7d: 'TC_PROXYCLASSDESC', 0x7e: 'TC_ENUM',
};

/** The first handle of every stream. */
export const BASE_HANDLE = 0x7e0000;
/** Netty's CompactObjectOutputStream writes this single byte instead of `ac ed 00 05`. */
export const COMPACT_STREAM_VERSION = 5;
export const FAT_DESCRIPTOR = 0;
export const THIN_DESCRIPTOR = 1;

export const SC_WRITE_METHOD = 0x01;
export const SC_SERIALIZABLE = 0x02;
export const SC_EXTERNALIZABLE = 0x04;
export const SC_BLOCK_DATA = 0x08;
export const SC_ENUM = 0x10;

/** JVM field type codes: primitives, `L` object, `[` array. */
export type JavaTypeCode = 'B' | 'C' | 'D' | 'F' | 'I' | 'J' | 'S' | 'Z' | 'L' | '[';

export interface JavaFieldDef {
  name: string;
  type: JavaTypeCode;
  /** JVM signature of an object or array field (`Ljava/lang/String;`, `[B`): values are checked against it. */
  signature?: string;
  label?: string;
}

export interface JavaClassInfo {
  /** Serializable fields in any order: the codec sorts them as ObjectOutputStream does. */
  fields: readonly JavaFieldDef[];
}

export type JavaClassTable = Readonly<Record<string, JavaClassInfo>>;

export const STRING_SIGNATURE = 'Ljava/lang/String;';

// ---------------------------------------------------------------------------------------------------------------
// Value model

export interface JavaClassDesc {
  kind: 'class';
  handle: number;
  name: string;
  form: 'thin' | 'fat';
  /** Fat descriptors: the serialVersionUID as a decimal string (signed, as Java prints it). */
  serialVersionUID?: string;
  flags?: number;
  /** In wire order: from the wire for fat descriptors, from the class table (sorted) for thin ones. */
  fields?: readonly JavaFieldDef[];
  superclass: JavaClassDesc | null;
  start: number;
  end: number;
}

export interface JavaString {
  kind: 'string';
  handle: number;
  text: string;
  /** Written as TC_LONGSTRING (u64 length). */
  long: boolean;
  start: number;
  end: number;
}

export interface JavaObject {
  kind: 'object';
  handle: number;
  desc: JavaClassDesc;
  /** Field values by name, every class of the hierarchy merged (filled as they are read). */
  values: Record<string, JavaValue>;
  /** The tree node of each field value. */
  nodes: Record<string, FieldNode>;
  start: number;
  end: number;
}

export interface JavaArray {
  kind: 'array';
  handle: number;
  desc: JavaClassDesc;
  length: number;
  /** `byte[]` contents (a view into the stream). */
  bytes?: Uint8Array;
  /** Elements of other arrays. */
  elements?: JavaValue[];
  /** Where the elements start (after the u32 count). */
  dataStart: number;
  start: number;
  end: number;
}

export type JavaEntity = JavaClassDesc | JavaString | JavaObject | JavaArray;

export interface JavaReference {
  kind: 'ref';
  handle: number;
  target: JavaEntity;
  start: number;
  end: number;
}

/** Primitive field values: numbers, `long` as a decimal string (N8), `boolean`. */
export type JavaPrimitive = number | string | boolean;
export type JavaValue = null | JavaPrimitive | JavaEntity | JavaReference;

/** A reference's target, or the value itself. */
export function deref(v: JavaValue | undefined): Exclude<JavaValue, JavaReference> | undefined {
  return v !== null && typeof v === 'object' && v.kind === 'ref' ? v.target : v;
}

/** The texts of the first handles of a stream, built once (every node of a decoded stream shows its handle). */
const HANDLE_HEX: string[] = [];

export function handleHex(h: number): string {
  const i = h - BASE_HANDLE;
  if (i >= 0 && i < 256 && (i | 0) === i) return (HANDLE_HEX[i] ??= `0x${h.toString(16).padStart(6, '0')}`);
  return `0x${h.toString(16).padStart(6, '0')}`;
}

function isPrimitive(f: JavaFieldDef): boolean {
  return f.type !== 'L' && f.type !== '[';
}

/** Field order on the wire: primitives first, then objects, each group sorted by name (ObjectStreamField.compareTo). */
export function wireOrder(fields: readonly JavaFieldDef[]): JavaFieldDef[] {
  return [...fields].sort((a, b) => (isPrimitive(a) !== isPrimitive(b) ? (isPrimitive(a) ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** wireOrder of a class table's field list, sorted once per list (a thin descriptor needs it on every decode). */
const WIRE_ORDER = new WeakMap<readonly JavaFieldDef[], readonly JavaFieldDef[]>();

function cachedWireOrder(fields: readonly JavaFieldDef[]): readonly JavaFieldDef[] {
  let sorted = WIRE_ORDER.get(fields);
  if (!sorted) { sorted = wireOrder(fields); WIRE_ORDER.set(fields, sorted); }
  return sorted;
}

// ---------------------------------------------------------------------------------------------------------------
// Modified UTF-8 (DataOutput.writeUTF): U+0000 as c0 80, supplementary characters as two 3-byte surrogates.

/** Decodes modified UTF-8; malformed sequences become U+FFFD and `valid` is false. */
export function decodeModifiedUtf8(b: Uint8Array, start: number, end: number): { text: string; valid: boolean } {
  let ascii = true;
  for (let i = start; i < end; i++) if (b[i] >= 0x80 || b[i] === 0) { ascii = false; break; }
  if (ascii) return { text: latin1Text(b, start, end), valid: true };
  const units: number[] = [];
  let valid = true;
  for (let i = start; i < end;) {
    const c = b[i];
    if (c < 0x80) { units.push(c); i++; continue; }
    if ((c & 0xe0) === 0xc0 && i + 1 < end && (b[i + 1] & 0xc0) === 0x80) {
      units.push(((c & 0x1f) << 6) | (b[i + 1] & 0x3f));
      i += 2;
      continue;
    }
    if ((c & 0xf0) === 0xe0 && i + 2 < end && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
      units.push(((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f));
      i += 3;
      continue;
    }
    units.push(0xfffd);
    valid = false;
    i++;
  }
  return { text: charCodes(units), valid };
}

/** UTF-16 code units to a string, in chunks that stay under the engines' argument limits. */
function charCodes(units: number[]): string {
  if (units.length <= 8192) return String.fromCharCode.apply(null, units);
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode.apply(null, units.slice(i, i + 8192));
  return text;
}

export function modifiedUtf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c >= 1 && c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

export function encodeModifiedUtf8(text: string): Uint8Array {
  const out = new Uint8Array(modifiedUtf8Length(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 1 && c < 0x80) out[at++] = c;
    else if (c < 0x800) { out[at++] = 0xc0 | (c >> 6); out[at++] = 0x80 | (c & 0x3f); }
    else { out[at++] = 0xe0 | (c >> 12); out[at++] = 0x80 | ((c >> 6) & 0x3f); out[at++] = 0x80 | (c & 0x3f); }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** A construct the subset does not cover, or an impossible value: the decode stops there. */
export class JavaStreamError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

export interface JavaDecodeOptions {
  /** Abbreviation prefix: fields become `<prefix>.<field>` and `<prefix>.<field>_len`, descriptors `<prefix>.class_name`. */
  prefix: string;
  classes: JavaClassTable;
  start?: number;
  end?: number;
  /** Label of the top-level content node. */
  label?: string;
}

export interface JavaStreamResult {
  version?: number;
  /** The top-level content; a partially read object when the decode stopped inside it. */
  content?: JavaValue;
  /** Stream version, the content's subtree and, after an error, the undecoded rest. */
  nodes: FieldNode[];
  notes: Note[];
  /** Every handle assigned, in order (index = handle − 0x7e0000). */
  handles: JavaEntity[];
  /** Position after the last byte decoded. */
  end: number;
  failed: boolean;
}

const PRIMITIVE_SIZE: Record<string, number> = { B: 1, C: 2, D: 8, F: 4, I: 4, J: 8, S: 2, Z: 1 };

function shortName(className: string): string {
  const dot = className.lastIndexOf('.');
  return dot < 0 ? className : className.slice(dot + 1);
}

const TYPE_CODE_DISPLAY: string[] = [];

export function typeCodeNode(at: number, code: number): FieldNode {
  const display = (TYPE_CODE_DISPLAY[code] ??= `0x${code.toString(16)} (${TC_NAMES[code] ?? 'unknown'})`);
  return { label: 'type code', start: at, length: 1, value: code, display };
}

export function clip(text: string, max = 120): string {
  const q = jsonQuote(text);
  return q.length <= max ? q : `${q.slice(0, max - 1)}…" (${text.length} chars)`;
}

function describeEntity(e: JavaEntity): string {
  switch (e.kind) {
    case 'class': return `class descriptor ${e.name}`;
    case 'string': return `String ${clip(e.text, 60)}`;
    case 'object': return `${shortName(e.desc.name)} object`;
    case 'array': return `${e.desc.name} array`;
  }
}

/** Decodes one compact stream (version byte + one content). Never throws: errors become notes on a partial tree. */
export function decodeJavaStream(bytes: Uint8Array, opts: JavaDecodeOptions): JavaStreamResult {
  const start = opts.start ?? 0;
  const end = opts.end ?? bytes.length;
  const d = new StreamDecoder(new Reader(bytes, start, end), opts);
  const nodes: FieldNode[] = [];
  const result: JavaStreamResult = { nodes, notes: d.notes, handles: d.handles, end: start, failed: false };
  try {
    const at = d.r.pos;
    result.version = d.r.u8();
    const node: FieldNode = { abbrev: `${opts.prefix}.stream_version`, label: 'stream version', start: at, length: 1, value: result.version };
    nodes.push(node);
    if (result.version !== COMPACT_STREAM_VERSION) {
      const msg = `stream version is ${result.version}, Netty's compact stream writes ${COMPACT_STREAM_VERSION}`;
      (node.notes ??= []).push({ severity: 'error', message: msg });
      d.notes.push({ severity: 'error', message: msg });
    }
    result.content = d.content(nodes, opts.label ?? 'object', undefined, (v) => { result.content = v; });
  } catch (e) {
    result.failed = true;
    const at = d.r.pos;
    if (e instanceof Truncated) {
      d.notes.push({ severity: 'error', message: e.message });
      if (at < end) nodes.push({ label: 'truncated', start: at, length: end - at, display: `${end - at} bytes: ${asciiPreview(bytes, at, end)}` });
    } else {
      d.notes.push({ severity: 'error', message: e instanceof JavaStreamError ? `${e.message} at offset ${e.at}; the rest is shown raw` : `decode error: ${(e as Error).message}` });
      if (at < end) nodes.push({ label: 'not decoded', start: at, length: end - at, value: toHex(bytes, at, end), display: `${end - at} bytes: ${asciiPreview(bytes, at, end)}` });
    }
  }
  result.end = d.r.pos;
  return result;
}

type Assign = (v: JavaValue) => void;

class StreamDecoder {
  readonly handles: JavaEntity[] = [];
  readonly notes: Note[] = [];
  private readonly prefix: string;

  constructor(readonly r: Reader, private readonly opts: JavaDecodeOptions) {
    this.prefix = opts.prefix;
  }

  private fail(message: string): never {
    throw new JavaStreamError(message, this.r.pos);
  }

  private peekCode(): number {
    if (this.r.remaining < 1) throw new Truncated(this.r.pos, 1, 0);
    return this.r.bytes[this.r.pos];
  }

  private assignHandle<T extends JavaEntity>(e: T): T {
    e.handle = BASE_HANDLE + this.handles.length;
    this.handles.push(e);
    return e;
  }

  private warn(node: FieldNode, message: string): void {
    (node.notes ??= []).push({ severity: 'warn', message });
    this.notes.push({ severity: 'warn', message });
  }

  /** One content item: the value of a field, an array element, an annotation, or the stream's object. */
  content(tree: FieldNode[], label: string, field: JavaFieldDef | undefined, assign: Assign): JavaValue {
    const code = this.peekCode();
    switch (code) {
      case TC_NULL: {
        tree.push({ label, start: this.r.pos, length: 1, display: 'null' });
        this.r.pos++;
        assign(null);
        return null;
      }
      case TC_REFERENCE: return this.reference(tree, label, field, assign);
      case TC_STRING: case TC_LONGSTRING: return this.string(tree, label, field, assign);
      case TC_OBJECT: return this.object(tree, label, assign);
      case TC_ARRAY: return this.array(tree, label, field, assign);
      case TC_CLASSDESC: { const desc = this.classDesc(tree, label, false)!; assign(desc); return desc; }
      default: return this.fail(`unsupported type code 0x${code.toString(16)} (${TC_NAMES[code] ?? 'not a type code'})`);
    }
  }

  private withNode<T>(tree: FieldNode[], node: FieldNode, body: () => T): T {
    tree.push(node);
    try { return body(); } finally { node.length = this.r.pos - node.start; }
  }

  private string(tree: FieldNode[], label: string, field: JavaFieldDef | undefined, assign: Assign): JavaString {
    const start = this.r.pos;
    const code = this.r.u8();
    const long = code === TC_LONGSTRING;
    const node: FieldNode = { label, start, length: 0, children: [typeCodeNode(start, code)] };
    if (field) node.abbrev = `${this.prefix}.${field.name}`;
    return this.withNode(tree, node, () => {
      const lenAt = this.r.pos;
      const len = long ? this.longLength() : this.r.u16();
      const lenNode: FieldNode = { label: 'length', start: lenAt, length: long ? 8 : 2, value: len };
      if (field) lenNode.abbrev = `${this.prefix}.${field.name}_len`;
      node.children!.push(lenNode);
      const at = this.r.need(len);
      const { text, valid } = decodeModifiedUtf8(this.r.bytes, at, at + len);
      const s = this.assignHandle<JavaString>({ kind: 'string', handle: 0, text, long, start, end: this.r.pos });
      node.value = text;
      node.display = `${clip(text)} (handle ${handleHex(s.handle)})`;
      if (!valid) this.warn(node, `${field?.name ?? label}: malformed modified UTF-8`);
      assign(s);
      return s;
    });
  }

  /** TC_LONGSTRING's u64 byte count, bounded by the bytes present before it becomes a number. */
  private longLength(): number {
    const len = this.r.u64();
    if (len > BigInt(this.r.remaining)) throw new Truncated(this.r.pos, len > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(len), this.r.remaining);
    return Number(len);
  }

  private reference(tree: FieldNode[], label: string, field: JavaFieldDef | undefined, assign: Assign): JavaReference {
    const start = this.r.pos;
    this.r.u8();
    const handle = this.r.u32();
    const target = this.handles[handle - BASE_HANDLE];
    if (handle < BASE_HANDLE || !target) {
      this.r.pos = start;
      this.fail(`reference to handle ${handleHex(handle)}, which was not assigned yet`);
    }
    const node: FieldNode = {
      label, start, length: 5,
      children: [typeCodeNode(start, TC_REFERENCE), { label: 'handle', start: start + 1, length: 4, value: handle, display: `${handleHex(handle)} → ${describeEntity(target)}` }],
    };
    if (target.kind === 'string') {
      node.value = target.text;
      node.display = `${clip(target.text)} (reference to handle ${handleHex(handle)})`;
    } else if (target.kind === 'array' && target.bytes) {
      node.value = toHex(target.bytes);
      node.display = `${target.bytes.length} bytes (reference to handle ${handleHex(handle)})`;
    } else {
      node.display = `reference to handle ${handleHex(handle)}: ${describeEntity(target)}`;
    }
    if (field && node.value !== undefined) node.abbrev = `${this.prefix}.${field.name}`;
    tree.push(node);
    const ref: JavaReference = { kind: 'ref', handle, target, start, end: this.r.pos };
    assign(ref);
    return ref;
  }

  /** A class descriptor position: `72 …`, `71` + handle of a descriptor, or (superclasses only) `70`. */
  classDesc(tree: FieldNode[], label: string, allowNull: boolean): JavaClassDesc | null {
    const code = this.peekCode();
    if (code === TC_NULL && allowNull) {
      tree.push({ label, start: this.r.pos, length: 1, display: 'none (TC_NULL)' });
      this.r.pos++;
      return null;
    }
    if (code === TC_REFERENCE) {
      const ref = this.reference(tree, label, undefined, () => {});
      if (ref.target.kind !== 'class') {
        this.r.pos = ref.start;
        tree.pop();
        this.fail(`reference ${handleHex(ref.handle)} in a class descriptor position points to a ${ref.target.kind}`);
      }
      return ref.target;
    }
    if (code !== TC_CLASSDESC) this.fail(`expected a class descriptor, found type code 0x${code.toString(16)} (${TC_NAMES[code] ?? 'not a type code'})`);
    const start = this.r.pos;
    this.r.u8();
    // The handle is assigned right after the 72 byte, before the descriptor's content (§4.2).
    const desc = this.assignHandle<JavaClassDesc>({ kind: 'class', handle: 0, name: '', form: 'thin', superclass: null, start, end: start });
    const node: FieldNode = { label, start, length: 0, children: [typeCodeNode(start, TC_CLASSDESC)] };
    return this.withNode(tree, node, () => {
      const c = node.children!;
      const kindAt = this.r.pos;
      const kind = this.r.u8();
      c.push({ label: 'descriptor kind', start: kindAt, length: 1, value: kind, display: kind === THIN_DESCRIPTOR ? '1 (thin)' : kind === FAT_DESCRIPTOR ? '0 (fat)' : `${kind} (unknown)` });
      if (kind !== THIN_DESCRIPTOR && kind !== FAT_DESCRIPTOR) this.fail(`unknown compact descriptor kind ${kind}`);
      desc.form = kind === THIN_DESCRIPTOR ? 'thin' : 'fat';
      desc.name = this.utf(c, 'class name length', 'class name', `${this.prefix}.class_name`);
      node.display = `${desc.name} (${desc.form}, handle ${handleHex(desc.handle)})`;
      if (desc.form === 'fat') {
        let at = this.r.pos;
        const uid = this.r.i64();
        desc.serialVersionUID = uid.toString();
        c.push({ label: 'serialVersionUID', start: at, length: 8, value: desc.serialVersionUID, display: `0x${BigInt.asUintN(64, uid).toString(16).padStart(16, '0')}` });
        at = this.r.pos;
        desc.flags = this.r.u8();
        c.push({ label: 'flags', start: at, length: 1, value: desc.flags, display: flagsDisplay(desc.flags) });
        at = this.r.pos;
        const count = this.r.u16();
        c.push({ label: 'field count', start: at, length: 2, value: count });
        const fields: JavaFieldDef[] = [];
        for (let i = 0; i < count; i++) fields.push(this.fieldEntry(c, i));
        desc.fields = fields;
      } else {
        const info = this.opts.classes[desc.name];
        if (info) desc.fields = cachedWireOrder(info.fields);
        else if (desc.name.startsWith('[')) desc.fields = [];
      }
      this.annotations(c, 'class annotations');
      desc.superclass = this.classDesc(c, 'superclass descriptor', true);
      desc.end = this.r.pos;
      return desc;
    });
  }

  private utf(tree: FieldNode[], lenLabel: string, label: string, abbrev?: string): string {
    const lenAt = this.r.pos;
    const len = this.r.u16();
    tree.push({ label: lenLabel, start: lenAt, length: 2, value: len });
    const at = this.r.need(len);
    const { text, valid } = decodeModifiedUtf8(this.r.bytes, at, at + len);
    const node: FieldNode = { label, start: at, length: len, value: text };
    if (abbrev) node.abbrev = abbrev;
    tree.push(node);
    if (!valid) this.warn(node, `${label}: malformed modified UTF-8`);
    return text;
  }

  private fieldEntry(tree: FieldNode[], i: number): JavaFieldDef {
    const node: FieldNode = { label: `field ${i}`, start: this.r.pos, length: 0, children: [] };
    return this.withNode(tree, node, () => {
      const c = node.children!;
      const at = this.r.pos;
      const code = this.r.u8();
      const type = String.fromCharCode(code) as JavaTypeCode;
      c.push({ label: 'type', start: at, length: 1, value: code, display: `'${type}'` });
      if (!'BCDFIJSZL['.includes(type)) this.fail(`unknown field type code 0x${code.toString(16)}`);
      const name = this.utf(c, 'name length', 'name');
      const def: JavaFieldDef = { name, type };
      if (type === 'L' || type === '[') {
        const sig = deref(this.content(c, 'signature', undefined, () => {}));
        if (sig === null || typeof sig !== 'object' || sig.kind !== 'string') this.fail(`field ${name}: the type signature is not a String`);
        def.signature = sig.text;
      }
      node.display = `${name}: ${def.signature ?? type}`;
      return def;
    });
  }

  /** Annotation contents up to TC_ENDBLOCKDATA (Netty writes none). */
  private annotations(tree: FieldNode[], label: string): void {
    let i = 0;
    while (this.peekCode() !== TC_ENDBLOCKDATA) this.content(tree, `${label}[${i++}]`, undefined, () => {});
    tree.push({ label: 'end of annotations', start: this.r.pos, length: 1, value: TC_ENDBLOCKDATA, display: '0x78 (TC_ENDBLOCKDATA)' });
    this.r.pos++;
  }

  private object(tree: FieldNode[], label: string, assign: Assign): JavaObject {
    const start = this.r.pos;
    this.r.u8();
    const node: FieldNode = { label, start, length: 0, children: [typeCodeNode(start, TC_OBJECT)] };
    return this.withNode(tree, node, () => {
      const c = node.children!;
      const desc = this.classDesc(c, 'class descriptor', false)!;
      // The object's handle follows its complete class descriptor (§4.2).
      const obj = this.assignHandle<JavaObject>({ kind: 'object', handle: 0, desc, values: {}, nodes: {}, start, end: start });
      node.display = `${shortName(desc.name)} (handle ${handleHex(obj.handle)})`;
      assign(obj);
      const chain: JavaClassDesc[] = [];
      for (let d: JavaClassDesc | null = desc; d; d = d.superclass) chain.unshift(d);
      for (const d of chain) {
        if (d.flags !== undefined && d.flags & (SC_EXTERNALIZABLE | SC_ENUM)) this.fail(`${d.name} is ${d.flags & SC_ENUM ? 'an enum' : 'externalizable'}: not supported`);
        if (!d.fields) this.fail(`class ${d.name} is not known: a thin descriptor does not carry its fields`);
        for (const f of d.fields) {
          const at = c.length;
          if (f.type === 'L' || f.type === '[') {
            const v = this.content(c, f.label ?? f.name, f, (x) => { obj.values[f.name] = x; });
            this.checkType(f, v);
          } else {
            obj.values[f.name] = this.primitive(c, f);
          }
          obj.nodes[f.name] = c[at];
        }
        if (d.flags !== undefined && d.flags & SC_WRITE_METHOD) this.annotations(c, `${shortName(d.name)} custom data`);
      }
      obj.end = this.r.pos;
      return obj;
    });
  }

  /** ObjectInputStream would throw ClassCastException for a value the field's type cannot hold. */
  private checkType(f: JavaFieldDef, v: JavaValue): void {
    const t = deref(v);
    if (t === null || t === undefined || typeof t !== 'object' || !f.signature) return;
    let ok = true;
    if (f.signature === STRING_SIGNATURE) ok = t.kind === 'string';
    else if (f.signature.startsWith('[')) ok = t.kind === 'array' && t.desc.name === signatureClass(f.signature);
    else if (f.signature.startsWith('L')) {
      const want = signatureClass(f.signature);
      ok = t.kind === 'object';
      if (ok && t.kind === 'object' && want !== 'java.lang.Object') {
        ok = false;
        for (let d: JavaClassDesc | null = t.desc; d; d = d.superclass) if (d.name === want) ok = true;
      }
    }
    if (!ok) this.fail(`field ${f.name} (${f.signature}) cannot hold ${describeEntity(t)}`);
  }

  private primitive(tree: FieldNode[], f: JavaFieldDef): JavaPrimitive {
    const at = this.r.pos;
    const value = this.readPrimitive(f.type);
    tree.push({ abbrev: `${this.prefix}.${f.name}`, label: f.label ?? f.name, start: at, length: PRIMITIVE_SIZE[f.type], value });
    return value;
  }

  private readPrimitive(type: JavaTypeCode): JavaPrimitive {
    const r = this.r;
    switch (type) {
      case 'B': return r.i8();
      case 'C': return r.u16();
      case 'D': return r.view.getFloat64(r.need(8));
      case 'F': return r.view.getFloat32(r.need(4));
      case 'I': return r.i32();
      case 'J': return r.i64().toString();
      case 'S': return r.i16();
      case 'Z': return r.u8() !== 0;
      default: return this.fail(`${type} is not a primitive type`);
    }
  }

  private array(tree: FieldNode[], label: string, field: JavaFieldDef | undefined, assign: Assign): JavaArray {
    const start = this.r.pos;
    this.r.u8();
    const node: FieldNode = { label, start, length: 0, children: [typeCodeNode(start, TC_ARRAY)] };
    return this.withNode(tree, node, () => {
      const c = node.children!;
      const desc = this.classDesc(c, 'class descriptor', false)!;
      if (!desc.name.startsWith('[')) this.fail(`array class descriptor ${desc.name} is not an array class`);
      const arr = this.assignHandle<JavaArray>({ kind: 'array', handle: 0, desc, length: 0, dataStart: 0, start, end: start });
      assign(arr);
      const countAt = this.r.pos;
      const count = this.r.i32();
      const countNode: FieldNode = { label: 'length', start: countAt, length: 4, value: count };
      if (field) countNode.abbrev = `${this.prefix}.${field.name}_len`;
      c.push(countNode);
      if (count < 0) this.fail(`negative array length ${count}`);
      arr.length = count;
      arr.dataStart = this.r.pos;
      const elem = desc.name[1];
      if (elem === 'B') {
        const at = this.r.need(count);
        arr.bytes = this.r.bytes.subarray(at, at + count);
        if (field) node.abbrev = `${this.prefix}.${field.name}`;
        node.value = toHex(arr.bytes);
        node.display = `${count} byte${count === 1 ? '' : 's'}: ${asciiPreview(arr.bytes)} (handle ${handleHex(arr.handle)})`;
      } else if (elem in PRIMITIVE_SIZE) {
        this.r.need(count * PRIMITIVE_SIZE[elem]);
        this.r.pos = arr.dataStart;
        arr.elements = [];
        for (let i = 0; i < count; i++) arr.elements.push(this.readPrimitive(elem as JavaTypeCode));
        node.display = `${desc.name}, ${count} element${count === 1 ? '' : 's'} (handle ${handleHex(arr.handle)})`;
      } else {
        const elements: JavaValue[] = [];
        arr.elements = elements;
        node.display = `${desc.name}, ${count} element${count === 1 ? '' : 's'} (handle ${handleHex(arr.handle)})`;
        for (let i = 0; i < count; i++) {
          if (this.r.remaining === 0) throw new Truncated(this.r.pos, 1, 0); // also bounds a bogus huge count
          this.content(c, `[${i}]`, undefined, (v) => { elements[i] = v; });
        }
      }
      arr.end = this.r.pos;
      return arr;
    });
  }
}

/** The class name a field signature names (`[B` → `[B`, `Lcom/x/Y;` → `com.x.Y`), converted once per signature. */
const SIGNATURE_CLASS = new Map<string, string>();

function signatureClass(signature: string): string {
  let name = SIGNATURE_CLASS.get(signature);
  if (name === undefined) {
    name = (signature.startsWith('[') ? signature : signature.slice(1, -1)).replace(/\//g, '.');
    if (SIGNATURE_CLASS.size < 256) SIGNATURE_CLASS.set(signature, name);
  }
  return name;
}

function flagsDisplay(flags: number): string {
  const names: string[] = [];
  if (flags & SC_WRITE_METHOD) names.push('SC_WRITE_METHOD');
  if (flags & SC_SERIALIZABLE) names.push('SC_SERIALIZABLE');
  if (flags & SC_EXTERNALIZABLE) names.push('SC_EXTERNALIZABLE');
  if (flags & SC_BLOCK_DATA) names.push('SC_BLOCK_DATA');
  if (flags & SC_ENUM) names.push('SC_ENUM');
  return `0x${flags.toString(16).padStart(2, '0')}${names.length ? ` (${names.join(' | ')})` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

export interface JavaClassSpec {
  name: string;
  /** Default thin, as Netty writes every ordinary class with a serialVersionUID. */
  form?: 'thin' | 'fat';
  /** Fat descriptors: as a bigint or a decimal/hex string. */
  serialVersionUID?: bigint | string;
  flags?: number;
  /** Fat descriptors: field entries in wire order (signatures written as literal strings). */
  fields?: readonly JavaFieldDef[];
  superclass?: JavaClassSpec | null;
}

/** `byte[]` as ObjectOutputStream describes it; Netty writes array classes fat. */
export const BYTE_ARRAY_CLASS: JavaClassSpec = {
  name: '[B', form: 'fat', serialVersionUID: 0xacf317f8060854e0n, flags: SC_SERIALIZABLE, fields: [], superclass: null,
};

/** What a handle written so far stands for: lets callers check a reference before writing it. */
export type JavaHandleInfo =
  | { kind: 'class'; name: string }
  | { kind: 'string'; text: string }
  | { kind: 'object'; className: string }
  | { kind: 'array'; className: string; bytes?: Uint8Array };

/** Class and field names as modified UTF-8 (a handful per protocol), converted once: decoders re-encode every PDU. */
const NAME_BYTES = new Map<string, Uint8Array>();

/** Writes the grammar of §4.2, assigning handles in the same order the decoder does. */
export class JavaStreamWriter {
  private readonly handles: JavaHandleInfo[] = [];

  constructor(readonly w: Writer = new Writer()) {}

  get nextHandle(): number {
    return BASE_HANDLE + this.handles.length;
  }

  handleInfo(handle: number): JavaHandleInfo | undefined {
    return this.handles[handle - BASE_HANDLE];
  }

  streamHeader(version = COMPACT_STREAM_VERSION): void {
    this.w.u8(version);
  }

  writeNull(): void {
    this.w.u8(TC_NULL);
  }

  /** A literal string: TC_STRING, or TC_LONGSTRING above 65535 bytes (or when `long` asks for it). */
  writeString(text: string, long?: boolean): number {
    const data = encodeModifiedUtf8(text);
    if (long ?? data.length > 0xffff) { this.w.u8(TC_LONGSTRING); this.w.u64(BigInt(data.length)); } else { this.w.u8(TC_STRING); this.w.u16(data.length); }
    this.w.bytes(data);
    return this.add({ kind: 'string', text });
  }

  /** `71` + handle; throws EncodeError (naming `where`) when the handle was not written yet. */
  writeReference(handle: number, where: string): JavaHandleInfo {
    const info = this.handleInfo(handle);
    if (!Number.isInteger(handle) || handle < BASE_HANDLE || !info) {
      throw new EncodeError(`${where}: reference to handle ${Number.isFinite(handle) ? handleHex(handle) : String(handle)}, which is not written before it (next handle ${handleHex(this.nextHandle)})`);
    }
    this.w.u8(TC_REFERENCE);
    this.w.u32(handle);
    return info;
  }

  /** A class descriptor, or `70` for none. */
  writeClassDesc(spec: JavaClassSpec | null): void {
    if (spec === null) { this.writeNull(); return; }
    this.w.u8(TC_CLASSDESC);
    this.add({ kind: 'class', name: spec.name });
    const fat = spec.form === 'fat';
    this.w.u8(fat ? FAT_DESCRIPTOR : THIN_DESCRIPTOR);
    this.utf(spec.name);
    if (fat) {
      const uid = spec.serialVersionUID ?? 0n;
      this.w.u64(typeof uid === 'bigint' ? uid : BigInt(uid));
      this.w.u8(spec.flags ?? SC_SERIALIZABLE);
      const fields = spec.fields ?? [];
      this.w.u16(fields.length);
      for (const f of fields) {
        this.w.u8(f.type.charCodeAt(0));
        this.utf(f.name);
        if (f.type === 'L' || f.type === '[') this.writeString(f.signature ?? (f.type === 'L' ? 'Ljava/lang/Object;' : '[Ljava/lang/Object;'));
      }
    }
    this.w.u8(TC_ENDBLOCKDATA);
    this.writeClassDesc(spec.superclass ?? null);
  }

  /** `73` + class descriptor; the caller then writes the field values. Returns the object's handle. */
  beginObject(spec: JavaClassSpec): number {
    this.w.u8(TC_OBJECT);
    this.writeClassDesc(spec);
    return this.add({ kind: 'object', className: spec.name });
  }

  writeByteArray(bytes: Uint8Array, spec: JavaClassSpec = BYTE_ARRAY_CLASS): number {
    this.w.u8(TC_ARRAY);
    this.writeClassDesc(spec);
    const handle = this.add({ kind: 'array', className: spec.name, bytes });
    this.w.u32(bytes.length);
    this.w.bytes(bytes);
    return handle;
  }

  finish(): Uint8Array {
    return this.w.finish();
  }

  private utf(text: string): void {
    let data = NAME_BYTES.get(text);
    if (!data) {
      data = encodeModifiedUtf8(text);
      if (data.length > 0xffff) throw new EncodeError(`${text.slice(0, 40)}…: longer than 65535 bytes`);
      if (NAME_BYTES.size < 256) NAME_BYTES.set(text, data);
    }
    this.w.u16(data.length);
    this.w.bytes(data);
  }

  private add(info: JavaHandleInfo): number {
    this.handles.push(info);
    return BASE_HANDLE + this.handles.length - 1;
  }
}

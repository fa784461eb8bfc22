/**
 * The tt body vocabulary. Every tt body is a flat sequence of u8/u16/u32, u32-prefixed strings and byte arrays,
 * u32-counted lists and one conditional tail (present only when `result` = 0). Declaring bodies in this small
 * vocabulary lets one declaration give both the schema elements (decode, encode, catalog, JSON Schema) and the
 * allocation-free scanner `peek()` needs for its summary.
 */
import { fromUtf8, isValidUtf8 } from '../../codec/bytes';
import { bytes, custom, int, repeat, restBytes, str, when, type Doc, type Element, type IntType } from '../../codec/schema';
import type { FieldNode } from '../../codec/tree';

export type IntKind = 'u8' | 'u16' | 'u32';
export type Enum = Readonly<Record<number, string>>;

export interface IntSpec { k: IntKind; name: string; enum?: Enum }
/** u32 byte count + UTF-8 text (`<name>_len` + `<name>`). */
export interface StrSpec { k: 'str'; name: string }
/** u32 byte count + binary content; `text` adds the generated `tt.msg_text` (msg_type 0x01/0x11, valid UTF-8). */
export interface DataSpec { k: 'data'; name: string; text?: boolean }
/** u32 count + items (N5: subtree `<count without _cnt>[i]`, document list under that same base name). */
export interface ListSpec { k: 'list'; count: string; items: readonly FieldSpec[] }
/** Fields present only when `result` = 0 (1/2, 1/4, 5/4). */
export interface IfOkSpec { k: 'ifOk'; items: readonly FieldSpec[] }
/** The rest of the PDU as raw bytes (ServerInternal, Unknown). */
export interface RawSpec { k: 'raw'; name: string }

export type FieldSpec = IntSpec | StrSpec | DataSpec | ListSpec | IfOkSpec | RawSpec;

export const u8 = (name: string, e?: Enum): IntSpec => ({ k: 'u8', name, enum: e });
export const u16 = (name: string, e?: Enum): IntSpec => ({ k: 'u16', name, enum: e });
export const u32 = (name: string, e?: Enum): IntSpec => ({ k: 'u32', name, enum: e });
export const s = (name: string): StrSpec => ({ k: 'str', name });
export const data = (name: string, text = false): DataSpec => ({ k: 'data', name, text });
export const list = (count: string, items: readonly FieldSpec[]): ListSpec => ({ k: 'list', count, items });
export const ifOk = (items: readonly FieldSpec[]): IfOkSpec => ({ k: 'ifOk', items });
export const raw = (name: string): RawSpec => ({ k: 'raw', name });

/** `friend_cnt` → `friend`: the item label base and the document's list key (N5). */
export function listBase(count: string): string {
  return count.endsWith('_cnt') ? count.slice(0, -4) : count;
}

/** Tree label of a field: `from_id_url` → `from id`, `friend_cnt` → `friend count`, `msg_type` → `message type`. */
export function labelOf(name: string): string {
  return name.replace(/(^|_)id_url$/, '$1id').replace(/_cnt$/, ' count').replace(/^msg_/, 'message ').replace(/_/g, ' ').trim();
}

const INT_TYPES: Record<IntKind, IntType> = { u8: 'u1', u16: 'u2be', u32: 'u4be' };

export function resultIsOk(doc: Doc): boolean {
  const r = doc.result ?? 0;
  return Number(r) === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Specs → schema elements

export function toElements(specs: readonly FieldSpec[]): Element[] {
  return specs.map(toElement);
}

function toElement(f: FieldSpec): Element {
  switch (f.k) {
    case 'u8': case 'u16': case 'u32':
      return int(f.name, INT_TYPES[f.k], { label: labelOf(f.name), ...(f.enum ? { enum: f.enum as Record<number, string> } : {}) });
    case 'str': return utf8Str(f.name);
    case 'data': return f.text ? textData(f.name) : bytes(f.name, 'u4be', { label: labelOf(f.name) });
    case 'list': return repeat(listBase(f.count), f.count, 'u4be', toElements(f.items), { countLabel: labelOf(f.count) });
    case 'ifOk': return when((doc) => resultIsOk(doc), toElements(f.items), 'result = 0');
    case 'raw': return restBytes(f.name, { label: labelOf(f.name) });
  }
}

/** A `str` that warns when its bytes are not UTF-8 (the document value then cannot reproduce them). */
function utf8Str(name: string): Element {
  const inner = str(name, 'u4be', { label: labelOf(name) });
  return custom({
    ...inner,
    decode(st, doc, tree) {
      inner.decode(st, doc, tree);
      const node = tree[tree.length - 1];
      const b = st.r.bytes;
      const end = node.start + node.length;
      for (let i = node.start; i < end; i++) {
        if (b[i] < 0x80) continue;
        if (!isValidUtf8(b, node.start, end)) {
          const message = `${name} is not valid UTF-8: shown with replacement characters, re-encoding changes the bytes`;
          (node.notes ??= []).push({ severity: 'warn', message });
          st.notes.push({ severity: 'warn', message });
        }
        break;
      }
    },
  });
}

/**
 * `msg_data` / `msg_content`: bytes plus the generated `tt.msg_text` (N7). The text is a child of the bytes it was
 * derived from, so it highlights the same range without overlapping a sibling.
 */
function textData(name: string): Element {
  const inner = bytes(name, 'u4be', { label: labelOf(name) });
  return custom({
    ...inner,
    decode(st, doc, tree) {
      inner.decode(st, doc, tree);
      const type = Number(doc.msg_type);
      if (type !== 0x01 && type !== 0x11) return;
      const node = tree[tree.length - 1];
      const end = node.start + node.length;
      if (!isValidUtf8(st.r.bytes, node.start, end)) return;
      const text: FieldNode = {
        abbrev: `${st.prefix}.msg_text`, label: 'message text', start: node.start, length: node.length,
        value: fromUtf8(st.r.bytes, node.start, end), generated: true,
      };
      node.children = [text];
    },
    catalog(prefix, out) {
      inner.catalog(prefix, out);
      out.push({ abbrev: `${prefix}.msg_text`, type: 'string', label: 'message text', generated: true, description: 'UTF-8 text of msg_data / msg_content when msg_type is 0x01 or 0x11' });
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Examples (templates)

/** A realistic document for a body, from per-field example values; `over` replaces some of them. */
export function exampleDoc(specs: readonly FieldSpec[], examples: Readonly<Doc>, over: Readonly<Doc> = {}): Doc {
  const doc: Doc = {};
  const fill = (fs: readonly FieldSpec[], into: Doc): void => {
    for (const f of fs) {
      if (f.k === 'ifOk') { if (resultIsOk(into)) fill(f.items, into); continue; }
      if (f.k === 'list') {
        const key = listBase(f.count);
        const given = over[key];
        if (Array.isArray(given)) { into[key] = given; continue; }
        const item: Doc = {};
        fill(f.items, item);
        into[key] = [item];
        continue;
      }
      const v = over[f.name] ?? examples[f.name];
      if (v !== undefined) into[f.name] = v;
      else into[f.name] = f.k === 'str' || f.k === 'data' || f.k === 'raw' ? '' : 0;
    }
  };
  fill(specs, doc);
  return doc;
}

// ---------------------------------------------------------------------------------------------------------------
// The summary scanner (peek's hot path: reads straight from the bytes, builds no tree and no document)

/** Scanner op kinds, as small integers so the hot loop switches on numbers. */
const K_U8 = 0, K_U16 = 1, K_U32 = 2, K_LEN = 3, K_LIST = 4, K_IF_OK = 5, K_STOP = 6;

interface ScanOp {
  kind: number;
  /** 1: show the value, 2: show the `_len`, 0: skip. */
  want: 0 | 1 | 2;
  /** ` name=` (or ` name_len=`), rendered once. */
  prefix: string;
  /** Enum value names already rendered for the summary. */
  names: Readonly<Record<number, string>> | undefined;
  isResult: boolean;
  items: ScanOp[] | undefined;
}

export interface SummaryPlan {
  ops: ScanOp[];
  wanted: number;
}

const KINDS: Record<FieldSpec['k'], number> = { u8: K_U8, u16: K_U16, u32: K_U32, str: K_LEN, data: K_LEN, list: K_LIST, ifOk: K_IF_OK, raw: K_STOP };

/** Compiles the summary fields (names, or `<name>_len` for byte arrays) of a body; throws on a name not in it. */
export function summaryPlan(specs: readonly FieldSpec[], fields: readonly string[]): SummaryPlan {
  const found = new Set<string>();
  const compile = (fs: readonly FieldSpec[]): ScanOp[] => fs.map((f): ScanOp => {
    const name = f.k === 'list' ? f.count : f.k === 'ifOk' ? '' : f.name;
    const want = name && fields.includes(name) ? 1 : f.k === 'str' || f.k === 'data' ? (fields.includes(`${name}_len`) ? 2 : 0) : 0;
    if (want) found.add(want === 1 ? name : `${name}_len`);
    let names: Record<number, string> | undefined;
    if ((f.k === 'u8' || f.k === 'u16' || f.k === 'u32') && f.enum) {
      names = {};
      for (const [k, v] of Object.entries(f.enum)) names[Number(k)] = quote(v);
    }
    // Every op has the same shape (all properties set) so the hot loop stays monomorphic.
    return {
      kind: KINDS[f.k], want, prefix: ` ${want === 2 ? `${name}_len` : name}=`, names, isResult: name === 'result',
      items: f.k === 'list' || f.k === 'ifOk' ? compile(f.items) : undefined,
    };
  });
  const ops = compile(specs);
  for (const name of fields) if (!found.has(name)) throw new Error(`tt summary field ${name} is not in the body`);
  return { ops, wanted: fields.length };
}

interface ScanState { out: string; left: number; result: number }

/** ` name=value …` for the plan's fields, in wire order, as far as the bytes go. */
export function scanSummary(b: Uint8Array, from: number, end: number, plan: SummaryPlan): string {
  if (plan.wanted === 0) return '';
  const st: ScanState = { out: '', left: plan.wanted, result: 0 };
  scan(b, from, end, plan.ops, st);
  return st.out;
}

/** Returns the position after the ops, or -1 when scanning stops (done, truncated, a list, a failed result). */
function scan(b: Uint8Array, pos: number, end: number, ops: readonly ScanOp[], st: ScanState): number {
  for (let i = 0; i < ops.length; i++) {
    if (st.left === 0) return -1;
    const op = ops[i];
    switch (op.kind) {
      case K_U8: case K_U16: case K_U32: {
        const size = op.kind === K_U8 ? 1 : op.kind === K_U16 ? 2 : 4;
        if (pos + size > end) return -1;
        const v = size === 1 ? b[pos] : size === 2 ? (b[pos] << 8) | b[pos + 1] : ((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0;
        pos += size;
        if (op.isResult) st.result = v;
        if (op.want) {
          const name = op.names?.[v];
          st.out += op.prefix + (name ?? v);
          st.left--;
        }
        break;
      }
      case K_LEN: {
        if (pos + 4 > end) return -1;
        const n = ((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0;
        pos += 4;
        if (op.want === 2) { st.out += op.prefix + n; st.left--; }
        if (n > end - pos) return -1;
        if (op.want === 1) { st.out += op.prefix + text(b, pos, n); st.left--; }
        pos += n;
        break;
      }
      case K_LIST:
        if (pos + 4 > end) return -1;
        if (op.want) { st.out += op.prefix + (((b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3]) >>> 0); st.left--; }
        return -1; // fields after a list are not worth walking the items for
      case K_IF_OK:
        if (st.result !== 0) return -1;
        pos = scan(b, pos, end, op.items!, st);
        if (pos < 0) return -1;
        break;
      default:
        return -1;
    }
  }
  return pos;
}

const CLIP = 48;
const utf8Decoder = new TextDecoder('utf-8');
const PLAIN = /^[^\s"=\\\u0000-\u001f]{1,48}$/;

/** A string field for the summary: printable ASCII tokens straight from the bytes, anything else via quote(). */
function text(b: Uint8Array, at: number, n: number): string {
  const stop = at + n;
  if (n > 0 && n <= CLIP) {
    let i = at;
    for (; i < stop; i++) {
      const c = b[i];
      if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x3d || c === 0x5c) break;
    }
    if (i === stop) return ascii(b, at, stop);
  }
  const to = Math.min(stop, at + CLIP + 16);
  return quote(smallUtf8(b, at, to) ?? utf8Decoder.decode(b.subarray(at, to)), to < stop);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  let s = '';
  let i = from;
  for (; i + 4 <= to; i += 4) s += String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
  for (; i < to; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * UTF-8 of up to three bytes per character, decoded inline (a TextDecoder call costs more than a short Chinese
 * name). Undefined for anything else (4-byte forms, invalid or cut sequences): the caller then uses TextDecoder.
 */
function smallUtf8(b: Uint8Array, from: number, to: number): string | undefined {
  let s = '';
  for (let i = from; i < to;) {
    const c = b[i];
    if (c < 0x80) { s += String.fromCharCode(c); i++; continue; }
    if (c >= 0xc2 && c < 0xe0) {
      if (i + 1 >= to || (b[i + 1] & 0xc0) !== 0x80) return undefined;
      s += String.fromCharCode(((c & 0x1f) << 6) | (b[i + 1] & 0x3f));
      i += 2;
      continue;
    }
    if (c >= 0xe0 && c < 0xf0) {
      if (i + 2 >= to || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) return undefined;
      const cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) return undefined;
      s += String.fromCharCode(cp);
      i += 3;
      continue;
    }
    return undefined;
  }
  return s;
}

/** Summary rendering of a text value: bare when it is a short token, else JSON-quoted and clipped. */
function quote(v: string, clipped = false): string {
  if (!clipped && PLAIN.test(v)) return v;
  return JSON.stringify(v.length > CLIP ? v.slice(0, CLIP) : v).replace(/"$/, v.length > CLIP || clipped ? '…"' : '"');
}

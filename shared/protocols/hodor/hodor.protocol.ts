/**
 * hodor — the dromara/hodor scheduler ↔ executor RPC (PROTOCOLS.md §2). Four header layouts share one tail
 * (i32-prefixed JSON attachment, i32-prefixed body): generation C (magic f6 66, current) and A (crcCode 12345) are
 * detected, B and the document's layout are Decode As variants. Bodies are Gson JSON or protostuff, both shown as
 * the same JSON view flattened under `hodor.body.`. There is no request/response flag: the direction names the
 * message (scheduler → executor = request).
 */
import { asciiPreview, fromHex, fromUtf8, isValidUtf8, toHex, utf8, HexError } from '../../codec/bytes';
import { assembleFrame } from '../../codec/frame';
import { DEFAULT_MAX_PDU, peekInt } from '../../codec/framing';
import {
  JsonSyntaxError, jsonDocValue, jsonTree, jsonValueOf, parseJsonBytes, stringifyGson,
  type JsonNode, type JsonValue,
} from '../../codec/json';
import { CLASS_KEY, decodeMessage, encodeMessage, encodesTo, scanFields, type PbMessage } from '../../codec/protobuf';
import {
  INVALID, NEED_MORE,
  type DecodeOptions, type DecodedFrame, type Direction, type EncodeOptions, type Framer, type FramerOptions,
  type MessageDirection, type MessageInfo, type PairingKey, type Peek, type Protocol, type Variant,
} from '../../codec/protocol';
import { Truncated } from '../../codec/reader';
import {
  EncodeError, coerceInt, custom, decodeElements, encodeElements, generated, int, schemaOf, writeInt,
  type CatalogEntry, type Doc, type Element, type FieldType, type JsonSchema,
} from '../../codec/schema';
import type { FieldNode, Note } from '../../codec/tree';
import {
  JOB_EXECUTE_STATUS, NON_FINAL_STATUS, PB_OPTIONS, RemotingResponse, TYPE_CLASSES,
  orderJsonBody, simpleClassName, tableSchema,
} from './classes';

const PREFIX = 'hodor';
export const HODOR_PORT = 46367;
export const MAGIC_C = 0xf666;
export const CRC_CODE_A = 12345;

export type Generation = 'C' | 'A' | 'B' | 'doc';
const GENERATIONS: readonly Generation[] = ['C', 'A', 'B', 'doc'];

export const HODOR_VARIANTS: Variant[] = [
  { id: 'C', label: 'generation C (current: magic f6 66, 64-bit id)' },
  { id: 'A', label: 'generation A (2020–2021: crcCode 12345, version 1)' },
  { id: 'B', label: 'generation B (2021: no magic, 64-bit id)' },
  { id: 'doc', label: 'document layout (magicNum, type, version, length; never shipped)' },
];

// ---------------------------------------------------------------------------------------------------------------
// Messages (§2.3): named by type AND direction

interface MessageDef {
  type: number;
  name: string;
  direction: Direction;
  replies?: string[];
  description: string;
}

const TYPE_LABELS: Record<number, string> = { 0: 'Heartbeat', 1: 'JobExec', 2: 'FetchJobStatus', 3: 'FetchJobLog', 4: 'KillJob' };
const TYPE_DOCS = ['1 心跳请求 heartbeat', '2 任务分发 job dispatch', '3 任务状态查询 job status query', '4 任务日志查询 job log query', '5 停止任务 kill job'];

const MESSAGES: readonly MessageDef[] = Object.entries(TYPE_LABELS).flatMap(([t, label]) => {
  const type = Number(t);
  return [
    { type, name: `${label}Request`, direction: 'c2s' as const, replies: [`${label}Response`], description: `type ${type}, scheduler → executor (document item ${TYPE_DOCS[type]})` },
    { type, name: `${label}Response`, direction: 's2c' as const, description: `type ${type}, executor → scheduler: {code, msg, data}${type === 1 ? ' (RUNNING first, then the final status)' : ''}` },
  ];
});

const UNKNOWN_NAME = 'Unknown';
const BY_NAME = new Map(MESSAGES.map((m) => [m.name, m]));

function messageName(type: number, direction: Direction): string {
  const label = TYPE_LABELS[type];
  if (label === undefined) return UNKNOWN_NAME;
  return `${label}${direction === 'c2s' ? 'Request' : 'Response'}`;
}

function isKnownType(type: unknown): type is number {
  return typeof type === 'number' && TYPE_LABELS[type] !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Header layouts (§2.1)

interface Layout {
  /** Offset of the 64-bit id, or -1. */
  idAt: number;
  typeAt: number;
  versionAt: number;
  /** Offset of attachment_length, or -1 (document layout: no attachment). */
  attLenAt: number;
  /** Bytes of the header before the attachment (or before the body for the document layout). */
  fixed: number;
}

const LAYOUTS: Record<Generation, Layout> = {
  C: { idAt: 2, versionAt: 10, typeAt: 11, attLenAt: 12, fixed: 20 },
  A: { idAt: -1, versionAt: 4, typeAt: 8, attLenAt: 9, fixed: 17 },
  B: { idAt: 0, versionAt: 8, typeAt: 9, attLenAt: 10, fixed: 18 },
  doc: { idAt: -1, typeAt: 4, versionAt: 5, attLenAt: -1, fixed: 13 },
};

function isGeneration(v: unknown): v is Generation {
  return typeof v === 'string' && (GENERATIONS as readonly string[]).includes(v);
}

/** Decode As wins; otherwise the magic: `f6 66` → C, `00 00 30 39` → A, anything else is read as C (with a note). */
function generationOf(pdu: Uint8Array, variant?: string): Generation {
  if (isGeneration(variant)) return variant;
  if (pdu.length >= 4 && pdu[0] === 0 && pdu[1] === 0 && pdu[2] === 0x30 && pdu[3] === 0x39) return 'A';
  return 'C';
}

// ---------------------------------------------------------------------------------------------------------------
// Elements

const typeElement = int('type', 'u1', { label: 'type (message type)', enum: TYPE_LABELS, description: '0 heartbeat, 1 job execution, 2 job status, 3 job log, 4 kill job' });
const idElement = int('id', 's8be', { label: 'id (message id)', description: 'request id; the response copies it' });

const generationElement = generated('generation', (_doc, s) => ({ value: String(s.context.generation), start: 0, length: 0 }), {
  label: 'generation (header layout)', type: 'string',
});

interface BodyContext {
  generation: Generation;
  direction: Direction;
}

/** `{}` is what Gson writes for an empty map, but the real encoder sends no attachment at all then (§2.5). */
function writeAttachment(v: JsonValue): string {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return '';
  return stringifyGson(v);
}

/** Parses JSON bytes into tree children under `base`; undefined (and a note) when they are not JSON. */
function jsonChildren(b: Uint8Array, start: number, end: number, base: string, what: string, notes: Note[]): { node: JsonNode; children: FieldNode[] } | undefined {
  try {
    const node = parseJsonBytes(b, start, end);
    const tree = jsonTree(node, base, what);
    return { node, children: tree.children ?? [] };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    notes.push({ severity: 'error', message: `${what} is not valid JSON: ${e.message}` });
    return undefined;
  }
}

const attachmentElement = custom({
  decode(s, doc, tree) {
    const r = s.r;
    const lenStart = r.pos;
    const n = r.i32();
    tree.push({ abbrev: `${PREFIX}.attachment_length`, label: 'attachment_length (attachment size)', start: lenStart, length: 4, value: n });
    if (n === 0) return;
    if (n < 0) throw new Error(`attachment_length ${n} is negative`);
    const start = r.pos;
    if (n > r.remaining) {
      tree.push({ abbrev: `${PREFIX}.attachment`, label: 'attachment', start, length: r.remaining, value: fromUtf8(r.bytes, start, r.end) });
      throw new Truncated(start, n, r.remaining);
    }
    r.skip(n);
    const text = fromUtf8(r.bytes, start, start + n);
    const node: FieldNode = { abbrev: `${PREFIX}.attachment`, label: 'attachment (JSON map)', start, length: n, value: text };
    tree.push(node);
    if (!isValidUtf8(r.bytes, start, start + n)) s.notes.push({ severity: 'error', message: 'attachment is not valid UTF-8' });
    const parsed = jsonChildren(r.bytes, start, start + n, `${PREFIX}.attachment`, 'attachment', s.notes);
    if (parsed) {
      node.children = parsed.children;
      doc.attachment = jsonDocValue(text, jsonValueOf(parsed.node), writeAttachment);
    } else {
      doc.attachment = text;
    }
  },
  encode(s, doc) {
    const v = doc.attachment;
    let text: string;
    if (v === undefined || v === null) text = '';
    else if (typeof v === 'string') text = v;
    else if (typeof v === 'object') text = writeAttachment(v as JsonValue);
    else throw new EncodeError(`${PREFIX}.attachment: expected a JSON object or its text, got ${JSON.stringify(v)}`);
    const bytes = utf8(text);
    const override = doc.attachment_length;
    writeInt(s.w, 's4be', override === undefined ? bytes.length : coerceInt(override, 's4be', `${PREFIX}.attachment_length`));
    s.w.bytes(bytes);
  },
  catalog() {},
  jsonSchema(props) {
    props.attachment = {
      type: ['object', 'string'],
      description: 'attachment: a string-keyed map (schedulerName; timeType, rootJobKey, stage for job executions) or its JSON text; empty or absent = none',
      properties: {
        schedulerName: { type: 'string' }, timeType: { type: 'string' }, rootJobKey: { type: 'string' }, stage: { type: 'string' },
      },
      additionalProperties: true,
    };
    props.attachment_length = { type: 'integer', description: 'attachment size — computed when absent; set it to send a deliberately wrong value' };
  },
  template() {},
});

// --- Bodies (§2.4)

type BodyFormat = 'json' | 'protostuff' | 'empty';

interface BodyView {
  children: FieldNode[];
  /** The document form of the body. */
  value: unknown;
  /** Set when `value` is a protostuff JSON view (the encoder must know). */
  protostuff?: boolean;
  label?: string;
}

/** Member names and values of the 2020 design document that the real software never sends (DOC ≠ WIRE, bodies). */
const DOCUMENT_MEMBERS = ['logData', 'jobPath', 'jobRecvTime', 'jobBegingTime', 'jobCompleteTime', 'time'];
const DOCUMENT_STATUSES = new Set(['NOT_FOUND', 'RECEIVED', 'STARTING', 'SUCCEED']);

/** Looks at the parsed nodes, not the values: a requestId beyond 2^53 is a decimal string in the view (N6) but a number on the wire. */
function member(o: JsonNode, key: string): JsonNode | undefined {
  return o.kind === 'object' ? o.members.find((m) => m.key === key)?.value : undefined;
}

function documentFormHints(root: JsonNode): string[] {
  const hints: string[] = [];
  if (root.kind !== 'object') return hints;
  const scopes: JsonNode[] = [root];
  const data = member(root, 'data');
  if (data?.kind === 'object') scopes.push(data);
  for (const scope of scopes) {
    for (const m of DOCUMENT_MEMBERS) if (member(scope, m)) hints.push(m);
    if (member(scope, 'requestId')?.kind === 'string') hints.push('requestId as a string');
    const status = member(scope, 'status');
    if (status?.kind === 'string' && DOCUMENT_STATUSES.has(status.value)) hints.push(`status ${status.value}`);
  }
  const code = member(root, 'code');
  if (code?.kind === 'number' && code.text !== '0' && code.text !== '1') hints.push(`code ${code.text}`);
  return hints;
}

function protostuffTable(type: number, direction: Direction): PbMessage | undefined {
  if (!isKnownType(type)) return undefined;
  return direction === 'c2s' ? TYPE_CLASSES[type].request : RemotingResponse;
}

/** Dynamic objects carry their class as a child `class …`: name the node after it. */
function labelClasses(nodes: FieldNode[]): void {
  for (const n of nodes) {
    if (!n.children) continue;
    const cls = n.children.find((c) => c.abbrev === undefined && c.label.startsWith('class '));
    if (cls) n.label = `${n.label} (${simpleClassName(String(cls.value))})`;
    labelClasses(n.children);
  }
}

function bodyView(b: Uint8Array, start: number, end: number, format: BodyFormat, type: number, ctx: BodyContext, notes: Note[]): BodyView {
  if (format === 'empty') {
    if (type === 0 && ctx.direction === 'c2s') {
      notes.push({ severity: 'warn', message: 'HeartbeatRequest with an empty body: document form (the document leaves the heartbeat parameters empty; the real request carries {requestId})' });
    }
    return { children: [], value: '' };
  }
  // Unknown types: header decoded, body raw (§0.3).
  if (!isKnownType(type)) return { children: [], value: toHex(b, start, end) };
  if (format === 'json') {
    if (!isValidUtf8(b, start, end)) {
      notes.push({ severity: 'error', message: 'JSON body is not valid UTF-8: kept as hex' });
      return { children: [], value: toHex(b, start, end) };
    }
    const text = fromUtf8(b, start, end);
    const parsed = jsonChildren(b, start, end, `${PREFIX}.body`, 'body', notes);
    if (!parsed) return { children: [], value: text };
    const value = jsonValueOf(parsed.node);
    const hints = documentFormHints(parsed.node);
    if (hints.length > 0) {
      notes.push({ severity: 'warn', message: `body in the document form (2020 design), decoded generically: ${hints.join(', ')}` });
    }
    return { children: parsed.children, value: jsonDocValue(text, value, (v) => stringifyGson(orderJsonBody(v, type, ctx.direction))) };
  }
  const table = protostuffTable(type, ctx.direction)!;
  let decoded;
  try {
    decoded = decodeMessage(b, start, end, table, `${PREFIX}.body`, 'body', PB_OPTIONS);
  } catch (e) {
    notes.push({ severity: 'error', message: `protostuff body is malformed: ${(e as Error).message}` });
    return { children: [], value: toHex(b, start, end) };
  }
  notes.push(...decoded.notes);
  const children = decoded.node.children ?? [];
  labelClasses(children);
  const label = `body (protostuff ${table.name})`;
  // The JSON view is the document only when it writes the same bytes back (unknown fields, maps, odd varints do not).
  let same = false;
  try { same = decoded.canonical || encodesTo(decoded.value, table, PB_OPTIONS, `${PREFIX}.body`, b, start, end); } catch { same = false; }
  if (same) return { children, value: decoded.value, protostuff: true, label };
  notes.push({ severity: 'info', message: 'protostuff body does not re-encode from its field view (unknown or raw fields): the document keeps it as hex' });
  return { children, value: toHex(b, start, end), label };
}

const bodyElement = custom({
  decode(s, doc, tree) {
    const r = s.r;
    const ctx = s.context as unknown as BodyContext;
    const lenStart = r.pos;
    const n = r.i32();
    tree.push({ abbrev: `${PREFIX}.length`, label: 'length (body length)', start: lenStart, length: 4, value: n });
    if (n < 0) throw new Error(`length ${n} is negative`);
    const start = r.pos;
    const avail = Math.min(n, r.remaining);
    if (n === 0 || avail > 0) {
      const format: BodyFormat = n === 0 ? 'empty' : r.bytes[start] === 0x7b ? 'json' : 'protostuff';
      tree.push({ abbrev: `${PREFIX}.body_format`, label: 'body_format', start, length: 0, value: format, generated: true });
    }
    if (n > r.remaining) {
      tree.push({ abbrev: `${PREFIX}.body`, label: 'body', start, length: avail, value: toHex(r.bytes, start, start + avail) });
      throw new Truncated(start, n, r.remaining);
    }
    r.skip(n);
    const end = start + n;
    const format: BodyFormat = n === 0 ? 'empty' : r.bytes[start] === 0x7b ? 'json' : 'protostuff';
    const view = bodyView(r.bytes, start, end, format, Number(doc.type), ctx, s.notes);
    tree.push({
      abbrev: `${PREFIX}.body`, label: view.label ?? 'body', start, length: n, value: toHex(r.bytes, start, end),
      display: `${n} byte${n === 1 ? '' : 's'}${n ? `: ${asciiPreview(r.bytes, start, end)}` : ''}`,
      ...(view.children.length ? { children: view.children } : {}),
    });
    doc.body = view.value;
    if (view.protostuff) doc.body_format = 'protostuff';
  },
  encode(s, doc) {
    const ctx = s.context as unknown as BodyContext;
    const bytes = bodyBytes(doc, Number(doc.type), ctx);
    const override = doc.length;
    writeInt(s.w, 's4be', override === undefined ? bytes.length : coerceInt(override, 's4be', `${PREFIX}.length`));
    s.w.bytes(bytes);
  },
  catalog() {},
  jsonSchema(props) {
    props.body = {
      type: ['object', 'string'],
      description: 'body: the JSON view (see body_format), JSON text starting with "{", or hex (protostuff bytes, unknown types); "" = empty',
    };
    props.body_format = { enum: ['json', 'protostuff'], default: 'json', description: 'how an object body is written: Gson JSON (default) or protostuff' };
    props.length = { type: 'integer', description: 'body length — computed when absent; set it to send a deliberately wrong value' };
  },
  template() {},
});

function bodyBytes(doc: Doc, type: number, ctx: BodyContext): Uint8Array {
  const v = doc.body;
  const where = `${PREFIX}.body`;
  if (v === undefined || v === null || v === '') return new Uint8Array(0);
  if (typeof v === 'string') {
    if (v.startsWith('{')) return utf8(v);
    try { return fromHex(v); } catch (e) { throw new EncodeError(`${where}: neither JSON text (starting with "{") nor hex: ${(e as HexError).message}`); }
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new EncodeError(`${where}: expected an object, JSON text or hex, got ${JSON.stringify(v)}`);
  const format = doc.body_format ?? 'json';
  if (format === 'protostuff') {
    const table = protostuffTable(type, ctx.direction);
    if (!table) throw new EncodeError(`${where}: type ${type} has no protostuff class; give the body as hex`);
    return encodeMessage(v as { [key: string]: JsonValue }, table, PB_OPTIONS, where);
  }
  if (format !== 'json') throw new EncodeError(`${PREFIX}.body_format: expected "json" or "protostuff", got ${JSON.stringify(format)}`);
  return utf8(stringifyGson(orderJsonBody(v as JsonValue, type, ctx.direction)));
}

const ELEMENTS: Record<Generation, Element[]> = {
  C: [
    generationElement,
    int('magic', 'u2be', { label: 'magic', expect: MAGIC_C, description: '0xF666; receivers reject anything else' }),
    idElement,
    int('version', 'u1', { label: 'version', default: 1, description: '1; receivers reject < 1' }),
    typeElement, attachmentElement, bodyElement,
  ],
  A: [
    generationElement,
    int('magic', 's4be', { label: 'magic (crcCode)', expect: CRC_CODE_A, description: 'crcCode, always 12345' }),
    int('version', 's4be', { label: 'version', expect: 1, description: '1 (receivers reject anything else)' }),
    typeElement, attachmentElement, bodyElement,
  ],
  B: [
    generationElement, idElement,
    int('version', 'u1', { label: 'version', default: 1 }),
    typeElement, attachmentElement, bodyElement,
  ],
  doc: [
    generationElement,
    int('magic', 's4be', { label: 'magic (magicNum)', default: CRC_CODE_A, description: 'magicNum: no value defined by the document (12345 by default, as generation A)' }),
    typeElement,
    int('version', 's4be', { label: 'version', default: 1 }),
    bodyElement,
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Fast reading (peek, framing, summary): no tree, no Reader

/** i64 BE as a decimal string; exact without BigInt while |v| < 2^53. */
function i64be(b: Uint8Array, at: number): string {
  const hi = peekInt(b, at, 's4be');
  const lo = peekInt(b, at + 4, 'u4be');
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x100000000 + lo);
  return (BigInt(hi) * 0x100000000n + BigInt(lo)).toString();
}

interface Parts {
  gen: Generation;
  /** -1 when the header is cut before it. */
  type: number;
  id?: string;
  /** Body range (cut at the end of the PDU); bodyStart < 0 when the header is cut before the body. */
  bodyStart: number;
  bodyEnd: number;
}

function partsOf(pdu: Uint8Array, variant?: string): Parts {
  const gen = generationOf(pdu, variant);
  const lay = LAYOUTS[gen];
  const n = pdu.length;
  const parts: Parts = { gen, type: n > lay.typeAt ? pdu[lay.typeAt] : -1, bodyStart: -1, bodyEnd: -1 };
  if (lay.idAt >= 0 && n >= lay.idAt + 8) parts.id = i64be(pdu, lay.idAt);
  let lenAt = 9;
  if (lay.attLenAt >= 0) {
    if (n < lay.attLenAt + 4) return parts;
    const a = peekInt(pdu, lay.attLenAt, 's4be');
    if (a < 0) return parts;
    lenAt = lay.attLenAt + 4 + a;
  }
  if (n < lenAt + 4) return parts;
  const len = peekInt(pdu, lenAt, 's4be');
  if (len < 0) return parts;
  parts.bodyStart = lenAt + 4;
  parts.bodyEnd = Math.min(n, parts.bodyStart + len);
  return parts;
}

const ascii = (s: string): Uint8Array => utf8(s);
const K_REQUEST_ID = ascii('"requestId":');
const K_CODE = ascii('"code":');
const K_MSG = ascii('"msg":');
const K_STATUS = ascii('"status":');
const K_JOB_NAME = ascii('"jobName":');

/**
 * Position just after the first `"key":` in bytes[start..end) for each key (−1 when absent), in one pass. Anchored
 * on the colon (about one per member) rather than on the quote, which occurs four times per string member; a plain
 * loop beats repeated native searches here.
 */
function findKeys(b: Uint8Array, start: number, end: number, keys: readonly Uint8Array[], at: Int32Array, wanted = (1 << keys.length) - 1): void {
  // −1: wanted, not found yet; −2: not wanted (the scan stops as soon as every wanted key is found).
  let left = 0;
  for (let n = 0; n < keys.length; n++) if ((wanted >> n) & 1) { at[n] = -1; left++; } else at[n] = -2;
  for (let c = start; c < end && left > 0; c++) {
    if (b[c] !== 0x3a) continue;
    for (let n = 0; n < keys.length; n++) {
      if (at[n] !== -1) continue;
      const key = keys[n];
      const last = key.length - 1; // key ends with ':'
      if (c - last < start) continue;
      let k = last - 1;
      while (k >= 0 && b[c - last + k] === key[k]) k--;
      if (k < 0) { at[n] = c + 1; left--; }
    }
  }
}

/** The scalar at `i` (just after a key's colon, < 0: absent), as text (strings without quotes, escapes as they are). */
function jsonScalarAt(b: Uint8Array, i: number, end: number): string | undefined {
  if (i < 0) return undefined;
  while (i < end && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (b[i] === 0x22) {
    const from = ++i;
    while (i < end && b[i] !== 0x22) i += b[i] === 0x5c ? 2 : 1;
    return i < end ? fromUtf8(b, from, i) : undefined;
  }
  const from = i;
  while (i < end && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d && b[i] > 0x20) i++;
  return i > from ? fromUtf8(b, from, i) : undefined;
}

const KEY_ONE: Uint8Array[] = [new Uint8Array(0)];
const ONE_AT = new Int32Array(1);

/** The scalar after the first `"key":` in a JSON body (see jsonScalarAt). */
function jsonScalar(b: Uint8Array, start: number, end: number, key: Uint8Array): string | undefined {
  KEY_ONE[0] = key;
  findKeys(b, start, end, KEY_ONE, ONE_AT);
  return jsonScalarAt(b, ONE_AT[0], end);
}

// The protobuf readers below return through module variables rather than tuples: they run in every peek.
let pbNext = 0;
let fieldWire = 0;
let fieldStart = 0;
let fieldEnd = 0;

/** A varint as a (possibly imprecise beyond 2^53) number, −1 when cut; `pbNext` is the position after it. */
function pbVarint(b: Uint8Array, pos: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = pos; i < end && i < pos + 10; i++) {
    v += (b[i] & 0x7f) * mul;
    if ((b[i] & 0x80) === 0) { pbNext = i + 1; return v; }
    mul *= 128;
  }
  return -1;
}

/** A varint as decimal text, int64 semantics beyond 2^53; undefined when cut. */
function pbVarintText(b: Uint8Array, pos: number, end: number): string | undefined {
  const got = pbVarint(b, pos, end);
  if (got < 0) return undefined;
  if (got <= Number.MAX_SAFE_INTEGER) return String(got);
  // Long or negative values: exact BigInt decode (rare).
  let v = 0n;
  for (let i = pos, shift = 0n; i < pbNext; i++, shift += 7n) v |= BigInt(b[i] & 0x7f) << shift;
  return BigInt.asIntN(64, v).toString();
}

/** First field `no` of a protobuf message: true with fieldWire, fieldStart, fieldEnd (varints: end = after it). */
function pbField(b: Uint8Array, start: number, end: number, no: number): boolean {
  let pos = start;
  while (pos < end) {
    const tag = pbVarint(b, pos, end);
    if (tag < 0) return false;
    const fieldNo = Math.floor(tag / 8);
    const wire = tag % 8;
    pos = pbNext;
    let vStart = pos;
    let vEnd: number;
    if (wire === 0) { if (pbVarint(b, pos, end) < 0) return false; vEnd = pbNext; }
    else if (wire === 2) { const l = pbVarint(b, pos, end); if (l < 0) return false; vStart = pbNext; vEnd = vStart + l; }
    else if (wire === 1) vEnd = pos + 8;
    else if (wire === 5) vEnd = pos + 4;
    else return false;
    if (vEnd > end) return false;
    if (fieldNo === no) { fieldWire = wire; fieldStart = vStart; fieldEnd = vEnd; return true; }
    pos = vEnd;
  }
  return false;
}

function pbText(b: Uint8Array, start: number, end: number, no: number): string | undefined {
  return pbField(b, start, end, no) && fieldWire === 2 ? fromUtf8(b, fieldStart, fieldEnd) : undefined;
}

function pbNumber(b: Uint8Array, start: number, end: number, no: number): string | undefined {
  return pbField(b, start, end, no) && fieldWire === 0 ? pbVarintText(b, fieldStart, end) : undefined;
}

/** Field number of `status` in each type's response class (none for types 0 and 3). */
const STATUS_FIELD: Record<number, number> = { 1: 4, 2: 2, 4: 2 };

interface BodyFacts {
  requestId?: string;
  code?: string;
  msg?: string;
  status?: string;
  jobName?: string;
}

/** The JSON keys bodyFacts reads, found in one pass over the body (index = bit in the wanted mask). */
const JSON_KEYS = [K_REQUEST_ID, K_CODE, K_MSG, K_STATUS, K_JOB_NAME];
const KEY_AT = new Int32Array(JSON_KEYS.length);
const REQUEST_ID_BIT = 1;
const CODE_BIT = 2;
const MSG_BIT = 4;
const STATUS_BIT = 8;
const JOB_NAME_BIT = 16;

function bodyFacts(b: Uint8Array, p: Parts, direction: Direction): BodyFacts {
  const facts: BodyFacts = {};
  const { bodyStart: s, bodyEnd: e, type } = p;
  if (s < 0 || s >= e || !isKnownType(type)) return facts;
  if (b[s] === 0x7b) {
    const wanted = direction === 'c2s'
      ? REQUEST_ID_BIT | (type === 1 ? JOB_NAME_BIT : 0)
      : (p.id === undefined ? REQUEST_ID_BIT : 0) | CODE_BIT | MSG_BIT | (STATUS_FIELD[type] !== undefined ? STATUS_BIT : 0);
    findKeys(b, s, e, JSON_KEYS, KEY_AT, wanted);
    if (direction === 'c2s' || p.id === undefined) facts.requestId = jsonScalarAt(b, KEY_AT[0], e);
    if (direction === 'c2s') {
      if (type === 1) facts.jobName = jsonScalarAt(b, KEY_AT[4], e);
      return facts;
    }
    facts.code = jsonScalarAt(b, KEY_AT[1], e);
    if (facts.code !== undefined && facts.code !== '0') facts.msg = jsonScalarAt(b, KEY_AT[2], e);
    if (STATUS_FIELD[type] !== undefined) facts.status = jsonScalarAt(b, KEY_AT[3], e);
    return facts;
  }
  if (direction === 'c2s') {
    facts.requestId = pbNumber(b, s, e, 1);
    if (type === 1) facts.jobName = pbText(b, s, e, 3);
    return facts;
  }
  facts.code = pbNumber(b, s, e, 1);
  if (facts.code !== undefined && facts.code !== '0') facts.msg = pbText(b, s, e, 2);
  const statusNo = STATUS_FIELD[type];
  if (statusNo !== undefined && pbField(b, s, e, 3) && fieldWire === 2) {
    const ordinal = pbNumber(b, fieldStart, fieldEnd, statusNo);
    if (ordinal !== undefined) facts.status = JOB_EXECUTE_STATUS[Number(ordinal)] ?? ordinal;
  }
  return facts;
}

const SUMMARY_TEXT_MAX = 40;

function summaryText(s: string): string {
  const cut = s.length > SUMMARY_TEXT_MAX ? `${s.slice(0, SUMMARY_TEXT_MAX)}…` : s;
  return cut === '' || needsQuotes(cut) ? JSON.stringify(cut) : cut;
}

/** `/[\s"=\u0000-\u001f]/.test(s)` as a loop (the summary of every PDU goes through it). */
function needsQuotes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x22 || c === 0x3d) return true;
    if (c < 0xa0) continue;
    if (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) return true;
  }
  return false;
}

interface Glance {
  message: string;
  summary: string;
  pair: PairingKey;
  malformed: boolean;
}

/** Message, summary and pairing from the bytes (shared by peek and decode so they always agree). */
function glance(pdu: Uint8Array, direction: Direction, variant?: string): Glance {
  const p = partsOf(pdu, variant);
  const message = p.type < 0 ? UNKNOWN_NAME : messageName(p.type, direction);
  const facts = bodyFacts(pdu, p, direction);
  let summary = message;
  if (!isKnownType(p.type)) {
    if (p.type >= 0) summary += ` type=${p.type}`;
    if (p.id !== undefined) summary += ` id=${p.id}`;
    if (p.bodyStart >= 0) summary += ` length=${p.bodyEnd - p.bodyStart}`;
  } else {
    if (p.id !== undefined) summary += ` id=${p.id}`;
    if (facts.requestId !== undefined) summary += ` requestId=${summaryText(facts.requestId)}`;
    if (facts.jobName !== undefined) summary += ` jobName=${summaryText(facts.jobName)}`;
    if (facts.code !== undefined) summary += ` code=${facts.code}`;
    if (facts.status !== undefined) summary += ` status=${facts.status}`;
    if (facts.msg !== undefined) summary += ` msg=${summaryText(facts.msg)}`;
  }
  return { message, summary, pair: pairOf(p, direction, facts), malformed: p.bodyStart < 0 };
}

/**
 * §2.3: C/B pair on (id, type); A and the document layout have no id: the body's requestId, else first-in-first-out
 * per type (lane = the response name). A JobExec response with a non-final status (RUNNING) is followed by another.
 */
function pairOf(p: Parts, direction: Direction, facts: BodyFacts): PairingKey {
  if (p.type < 0) return { role: 'none' };
  const role = direction === 'c2s' ? 'request' : 'response';
  const pair: PairingKey = { role };
  if (p.id !== undefined) pair.key = `${p.id}:${p.type}`;
  else if (facts.requestId !== undefined) pair.key = facts.requestId;
  else pair.fifo = isKnownType(p.type) ? messageName(p.type, 's2c') : `${UNKNOWN_NAME}:${p.type}`;
  if (role === 'response' && p.type === 1 && facts.status !== undefined && NON_FINAL_STATUS.has(facts.status)) pair.more = true;
  return pair;
}

// ---------------------------------------------------------------------------------------------------------------
// Framing and detection (§2.6)

interface FrameCheck {
  /** Reject headers that real receivers would take but that are unlikely after garbage (plausible()). */
  strict: boolean;
  maxPdu: number;
}

/**
 * Judges the header of generation `gen` at `off` on whatever part of it is present. Returns the PDU length,
 * NEED_MORE or INVALID.
 */
/** Generation A's fixed leading bytes: crcCode 12345, version 1. */
const LEAD_A = [0, 0, 0x30, 0x39, 0, 0, 0, 1];

function frameGen(b: Uint8Array, off: number, end: number, gen: Generation, c: FrameCheck): number {
  const avail = end - off;
  const lay = LAYOUTS[gen];
  // Fixed leading bytes. (Offsets are read as b[off + i] directly: this runs for every PDU.)
  if (gen === 'C') {
    if (avail >= 1 && b[off] !== 0xf6) return INVALID;
    if (avail >= 2 && b[off + 1] !== 0x66) return INVALID;
  } else if (gen === 'A') {
    for (let i = 0; i < LEAD_A.length && i < avail; i++) if (b[off + i] !== LEAD_A[i]) return INVALID;
  }
  if (lay.idAt >= 0 && c.strict && avail > lay.idAt && b[off + lay.idAt] >= 0x80) return INVALID; // negative id
  if (gen === 'C' || gen === 'B') {
    if (avail > lay.versionAt && (b[off + lay.versionAt] < 1 || (c.strict && b[off + lay.versionAt] >= 0x80))) return INVALID;
  }
  if (gen === 'doc' && c.strict && avail >= lay.versionAt + 4 && peekInt(b, off + lay.versionAt, 's4be') < 0) return INVALID;
  if (avail > lay.typeAt && b[off + lay.typeAt] >= (c.strict ? 5 : 0x80)) return INVALID; // receivers reject type < 0
  let lenAt = 9;
  let att = 0;
  if (lay.attLenAt >= 0) {
    if (avail < lay.attLenAt + 4) return NEED_MORE;
    att = peekInt(b, off + lay.attLenAt, 's4be');
    if (att < 0 || lay.fixed + att > c.maxPdu) return INVALID;
    if (c.strict && att > 0 && avail > lay.attLenAt + 4 && b[off + lay.attLenAt + 4] !== 0x7b) return INVALID;
    lenAt = lay.attLenAt + 4 + att;
  }
  if (avail < lenAt + 4) return NEED_MORE;
  const len = peekInt(b, off + lenAt, 's4be');
  const total = lay.fixed + att + len;
  if (len < 0 || total > c.maxPdu) return INVALID;
  return avail < total ? NEED_MORE : total;
}

function frameAuto(b: Uint8Array, off: number, end: number, variant: Generation | undefined, c: FrameCheck): number {
  if (variant) return frameGen(b, off, end, variant, c);
  if (off >= end) return NEED_MORE;
  if (b[off] === 0xf6) return frameGen(b, off, end, 'C', c);
  if (b[off] === 0x00) return frameGen(b, off, end, 'A', c);
  return INVALID;
}

// ---------------------------------------------------------------------------------------------------------------
// Decode, encode, peek

function decodeHodor(pdu: Uint8Array, direction: Direction, opts: DecodeOptions = {}): DecodedFrame {
  const gen = generationOf(pdu, opts.variant);
  const ctx: BodyContext = { generation: gen, direction };
  const r = decodeElements(ELEMENTS[gen], pdu, { prefix: PREFIX, context: { ...opts.context, ...ctx } });
  const notes: Note[] = [];
  if (gen === 'doc') {
    notes.push({ severity: 'warn', message: 'decoded with the document\'s header layout (document form: magicNum, type, version, length; never shipped)' });
  }
  if ((gen === 'C' || gen === 'B') && r.doc.version === 0) {
    notes.push({ severity: 'warn', message: 'version is 0: real receivers reject versions below 1' });
  }
  notes.push(...r.notes);
  if (gen !== 'C') r.doc.generation = gen;
  const g = glance(pdu, direction, gen);
  return assembleFrame({
    protocol: PREFIX, protocolLabel: 'hodor scheduler ↔ executor RPC', pdu, direction, message: g.message,
    summary: g.summary, value: r.doc, tree: r.tree, notes, consumed: r.consumed, failed: r.failed,
  });
}

function encodeHodor(message: string, direction: Direction, value: Doc, opts: EncodeOptions = {}): Uint8Array {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EncodeError(`${PREFIX}: the message document must be an object`);
  const doc: Doc = { ...value };
  if (message === UNKNOWN_NAME) {
    if (doc.type === undefined) throw new EncodeError(`${PREFIX}.type: required for an Unknown message`);
    const type = Number(doc.type);
    if (isKnownType(type)) throw new EncodeError(`${PREFIX}.type: ${type} is ${messageName(type, direction)}, not Unknown`);
  } else {
    const def = BY_NAME.get(message);
    if (!def) throw new EncodeError(`${PREFIX}: unknown message ${JSON.stringify(message)} (expected one of ${[...BY_NAME.keys(), UNKNOWN_NAME].join(', ')})`);
    if (def.direction !== direction) {
      throw new EncodeError(`${PREFIX}: ${message} is sent ${def.direction}; ${direction} with type ${def.type} is ${messageName(def.type, direction)}`);
    }
    if (doc.type === undefined) doc.type = def.type;
    else if (String(doc.type) !== String(def.type)) {
      throw new EncodeError(`${PREFIX}.type: ${JSON.stringify(doc.type)} disagrees with ${message} (type ${def.type})`);
    }
  }
  const given = doc.generation;
  if (given !== undefined && !isGeneration(given)) throw new EncodeError(`${PREFIX}.generation: expected one of ${GENERATIONS.join(', ')}, got ${JSON.stringify(given)}`);
  if (opts.variant !== undefined && !isGeneration(opts.variant)) throw new EncodeError(`${PREFIX}: unknown variant ${JSON.stringify(opts.variant)} (expected ${GENERATIONS.join(', ')})`);
  if (opts.variant !== undefined && given !== undefined && opts.variant !== given) {
    throw new EncodeError(`${PREFIX}.generation: the document says ${given} but the variant asked is ${opts.variant}`);
  }
  const gen: Generation = (opts.variant as Generation | undefined) ?? (given as Generation | undefined) ?? 'C';
  if (LAYOUTS[gen].idAt < 0 && doc.id !== undefined) throw new EncodeError(`${PREFIX}.id: generation ${gen} has no message id`);
  if (gen === 'doc' && doc.attachment !== undefined && doc.attachment !== null && doc.attachment !== '' && writeAttachment(doc.attachment as JsonValue) !== '') {
    throw new EncodeError(`${PREFIX}.attachment: the document layout has no attachment`);
  }
  const ctx: BodyContext = { generation: gen, direction };
  return encodeElements(ELEMENTS[gen], doc, { prefix: PREFIX, context: { ...opts.context, ...ctx } });
}

function peekHodor(pdu: Uint8Array, direction: Direction, opts: DecodeOptions = {}): Peek {
  const g = glance(pdu, direction, opts.variant);
  const peek: Peek = { message: g.message, summary: g.summary, pair: g.pair };
  if (g.malformed) peek.malformed = true;
  return peek;
}

/**
 * §2.3: a JSON body whose top-level object has `code` is a response. For protostuff (no member names on the wire)
 * a body is a response when it is exactly a RemotingResponse: field 1 a varint 0 or 1 (code), field 2 a string
 * (msg), optionally field 3 a nested object that starts with its class name (field 127), and nothing else.
 * Requests never match: their field 1 is a request id and their later fields are not a dynamic object.
 */
function guessDirection(pdu: Uint8Array): Direction {
  const p = partsOf(pdu);
  const { bodyStart: s, bodyEnd: e } = p;
  if (s < 0 || s >= e) return 'c2s';
  if (pdu[s] === 0x7b) {
    try {
      const node = parseJsonBytes(pdu, s, e);
      return node.kind === 'object' && node.members.some((m) => m.key === 'code') ? 's2c' : 'c2s';
    } catch {
      return jsonScalar(pdu, s, e, K_CODE) !== undefined ? 's2c' : 'c2s';
    }
  }
  try {
    let code = false;
    let msg = false;
    for (const f of scanFields(pdu, s, e)) {
      if (f.no === 1 && f.wire === 0 && f.varint !== undefined && f.varint <= 1n) code = true;
      else if (f.no === 2 && f.wire === 2) msg = true;
      else if (f.no === 3 && f.wire === 2 && pdu[f.valueStart] === 0xfa && pdu[f.valueStart + 1] === 0x07) continue;
      else return 'c2s';
    }
    return code && msg ? 's2c' : 'c2s';
  } catch {
    return 'c2s';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Messages, templates, catalog

const SCHEDULER = 'hodor-scheduler-192.168.1.10:8081';

function bodyTemplate(def: MessageDef): Doc {
  const requestId = 1001;
  const t = def.type;
  if (def.direction === 'c2s') {
    switch (t) {
      case 1: return {
        requestId, instanceId: 2001, jobName: 'demoJob', groupName: 'demoGroup', jobCommandType: 'java',
        jobCommand: 'org.example.DemoJob#run', jobParameters: 'date=2024-01-01', timeout: 180, shardingCount: 1,
        shardingId: 0, retryCount: 0, version: 0,
      };
      case 3: return { requestId, groupName: 'demoGroup', jobName: 'demoJob', offset: 0, length: 4096 };
      default: return { requestId };
    }
  }
  const cls = TYPE_CLASSES[t].responseClass;
  const data = ((): Doc => {
    switch (t) {
      case 1: return {
        requestId, instanceId: 2001, jobKey: { groupName: 'demoGroup', jobName: 'demoJob' }, status: 'SUCCEEDED',
        startTime: '2024-01-01 00:00:00', completeTime: '2024-01-01 00:00:02', processTime: 2000, shardingCount: 1,
        shardingId: 0, result: 'b2s=',
      };
      case 2: return { requestId, status: 'RUNNING', startTime: '2024-01-01 00:00:00' };
      case 3: return { requestId, data: 'job started\n', offset: 0, length: 12 };
      case 4: return { requestId, status: 'KILLED', completeTime: '2024-01-01 00:00:05' };
      default: return { requestId };
    }
  })();
  return { code: 0, msg: 'success', data: { [CLASS_KEY]: cls, ...data } };
}

function attachmentTemplate(def: MessageDef): Doc {
  if (def.type !== 1) return { schedulerName: SCHEDULER };
  return { schedulerName: SCHEDULER, timeType: 'cron', rootJobKey: 'demoGroup#demoJob', stage: 'split_stage' };
}

function messageSchema(def: MessageDef | undefined): JsonSchema {
  const schema = schemaOf(ELEMENTS.C, def?.name ?? UNKNOWN_NAME);
  const props = schema.properties!;
  props.generation = { enum: [...GENERATIONS], default: 'C', description: 'header layout to write (C unless asked); the decoder sets it for A, B and doc' };
  if (!def) {
    props.type = { type: 'integer', minimum: 5, maximum: 255, description: 'message type outside 0…4 (required)' };
    props.body = { type: 'string', description: 'body as hex (or JSON text starting with "{")' };
    schema.required = ['type'];
    return schema;
  }
  props.type = { type: 'integer', const: def.type, default: def.type, description: `type ${def.type} (${TYPE_LABELS[def.type]}); derived from the message name when absent` };
  const classes = TYPE_CLASSES[def.type];
  const view = def.direction === 'c2s'
    ? tableSchema(classes.request)
    : tableSchema(RemotingResponse, { table: classes.response, className: classes.responseClass });
  props.body = { anyOf: [view, { type: 'string', description: 'JSON text starting with "{", or hex bytes' }], description: `${def.direction === 'c2s' ? classes.request.name : `RemotingResponse {code, msg, data: ${classes.response.name}}`}` };
  return schema;
}

function messageInfo(def: MessageDef): MessageInfo {
  const info: MessageInfo = {
    name: def.name, direction: def.direction, description: def.description, schema: messageSchema(def),
    template: () => ({
      magic: MAGIC_C, id: '1001', version: 1, type: def.type, attachment: attachmentTemplate(def),
      body: bodyTemplate(def), body_format: 'protostuff',
    }),
  };
  if (def.replies) info.replies = [...def.replies];
  return info;
}

const UNKNOWN_INFO: MessageInfo = {
  name: UNKNOWN_NAME, direction: 'both' satisfies MessageDirection,
  description: 'A message type outside 0…4: header decoded, body shown raw (hex). `type` is required.',
  schema: messageSchema(undefined),
  template: () => ({ magic: MAGIC_C, id: '1', version: 1, type: 9, body: '0801' }),
};

function entry(name: string, type: FieldType, label: string, extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return { abbrev: `${PREFIX}.${name}`, type, label, ...extra };
}

function pbType(t: string): FieldType {
  switch (t) {
    case 'int32': return 'i32';
    case 'int64': return 'json'; // number up to 2^53−1, else a decimal string (N6)
    case 'string': case 'enum': case 'bytes': return 'string';
    default: return 'json';
  }
}

function buildCatalog(): CatalogEntry[] {
  const out: CatalogEntry[] = [
    entry('generation', 'string', 'generation (header layout)', { generated: true, description: 'C, A, B or doc' }),
    entry('magic', 'number', 'magic', { description: 'C: u16 0xF666 · A: i32 crcCode 12345 · doc: i32 magicNum' }),
    entry('id', 'i64', 'id (message id)', { description: 'generations C and B; the response copies the request\'s id' }),
    entry('version', 'number', 'version', { description: 'u8 (C, B) or i32 (A, doc); 1' }),
    entry('type', 'u8', 'type (message type)', { enum: Object.fromEntries(Object.entries(TYPE_LABELS)) }),
    entry('attachment_length', 'i32', 'attachment_length (attachment size)', { description: '0 = no attachment' }),
    entry('attachment', 'string', 'attachment (JSON text)', { description: 'UTF-8 JSON of a string-keyed map (Gson)' }),
    entry('attachment.', 'json', 'attachment members', { dynamic: true, description: 'flattened attachment map (N6)' }),
    entry('attachment.schedulerName', 'string', 'schedulerName', { description: 'the scheduler that sent the request' }),
    entry('attachment.timeType', 'string', 'timeType', { description: 'job executions: the time type of the job' }),
    entry('attachment.rootJobKey', 'string', 'rootJobKey', { description: 'job executions: group#job of the workflow root' }),
    entry('attachment.stage', 'string', 'stage', { description: 'job executions: the workflow stage' }),
    entry('length', 'i32', 'length (body length)'),
    entry('body', 'bytes', 'body (raw)'),
    entry('body_format', 'string', 'body_format', { generated: true, description: 'json, protostuff or empty (first byte { → JSON)' }),
    entry('body.', 'json', 'body members', { dynamic: true, description: 'the body\'s JSON view flattened (N6), JSON or protostuff alike' }),
  ];
  const seen = new Set(out.map((e) => e.abbrev));
  const add = (e: CatalogEntry): void => { if (!seen.has(e.abbrev)) { seen.add(e.abbrev); out.push(e); } };
  // Request members (top level of c2s bodies), then the wrapper, then the response data members.
  for (const t of TYPE_CLASSES) {
    for (const d of t.request.fields) {
      if (d.type === 'raw' || d.type === 'dynamic') continue;
      add(entry(`body.${d.name}`, pbType(d.type), d.name, { description: `${t.request.name}${d.description ? `: ${d.description}` : ''}` }));
    }
  }
  add(entry('body.code', 'i32', 'code', { description: 'response: 0 success, 1 failure' }));
  add(entry('body.msg', 'string', 'msg', { description: 'response: "success" or an error text' }));
  add(entry('body.data', 'json', 'data', { description: 'response object (absent on failure)' }));
  for (const t of TYPE_CLASSES) {
    for (const d of t.response.fields) {
      if (d.type === 'message' && d.message) {
        add(entry(`body.data.${d.name}`, 'json', d.name, { description: t.response.name }));
        for (const m of d.message.fields) add(entry(`body.data.${d.name}.${m.name}`, pbType(m.type), m.name, { description: `${d.message.name}` }));
        continue;
      }
      const extra: Partial<CatalogEntry> = { description: `${t.response.name}${d.description ? `: ${d.description}` : ''}` };
      if (d.type === 'enum') extra.enum = Object.fromEntries(JOB_EXECUTE_STATUS.map((s) => [s, s]));
      add(entry(`body.data.${d.name}`, pbType(d.type), d.name, extra));
    }
  }
  return out;
}

export const hodorProtocol: Protocol = {
  id: PREFIX,
  name: 'hodor',
  description: 'dromara/hodor scheduler ↔ executor RPC (executor port 46367): generations C and A detected, B and the document layout by Decode As; JSON or protostuff bodies',
  ports: [HODOR_PORT],
  messages: [...MESSAGES.map(messageInfo), UNKNOWN_INFO],
  catalog: buildCatalog(),
  variants: HODOR_VARIANTS,

  detect(first) {
    if (first.length >= 12 && first[0] === 0xf6 && first[1] === 0x66) return first[10] >= 1 && first[11] <= 4;
    if (first.length >= 9 && first[0] === 0 && first[1] === 0 && first[2] === 0x30 && first[3] === 0x39
      && first[4] === 0 && first[5] === 0 && first[6] === 0 && first[7] === 1) return first[8] <= 4;
    return false;
  },

  guessDirection,

  framer(_direction, opts: FramerOptions = {}): Framer {
    const maxPdu = opts.maxPdu ?? DEFAULT_MAX_PDU;
    const variant = isGeneration(opts.variant) ? opts.variant : undefined;
    const loose: FrameCheck = { strict: false, maxPdu };
    const strict: FrameCheck = { strict: true, maxPdu };
    return {
      frame: (buf, off, end) => frameAuto(buf, off, end, variant, loose),
      plausible: (buf, off, end) => {
        // The document layout has no fixed bytes at all: demand a complete header and a JSON body start.
        if (variant === 'doc' && end - off < LAYOUTS.doc.fixed + 1) return false;
        if (variant === 'doc' && peekInt(buf, off + 9, 's4be') > 0 && buf[off + 13] !== 0x7b) return false;
        return frameAuto(buf, off, end, variant, strict) !== INVALID;
      },
    };
  },

  peek: peekHodor,
  decode: decodeHodor,
  encode: encodeHodor,
};

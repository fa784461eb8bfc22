/**
 * flyer — the flyer-job scheduler protocol (PROTOCOLS.md §1): a 20-byte little-endian header, then `length` body
 * bytes made of u16-prefixed strings, bytes and i32s. One table of messages drives decode, encode, peek, the
 * catalog, the JSON Schemas and the templates; the three DOC ≠ WIRE boxes are alternative body forms chosen by
 * whether a form consumes the body exactly.
 */
import { decodeText, fromUtf8, type Charset } from '../../codec/bytes';
import { assembleFrame } from '../../codec/frame';
import { DEFAULT_MAX_PDU, peekInt } from '../../codec/framing';
import {
  INVALID, NEED_MORE,
  type DecodeOptions, type DecodedFrame, type Direction, type EncodeOptions, type Framer, type FramerOptions,
  type MessageDirection, type MessageInfo, type Peek, type PairingKey, type Protocol,
} from '../../codec/protocol';
import {
  EncodeError, catalogOf, decodeElements, encodeElements, group, int, mark, restBytes, schemaOf, str,
  type CatalogEntry, type Doc, type Element, type JsonSchema,
} from '../../codec/schema';
import { addNote, type Note } from '../../codec/tree';
import { extractFlyer } from './flyer-extract';

const PREFIX = 'flyer';
export const FLYER_PORT = 20180;
export const FLYER_HEADER_SIZE = 20;
/** §1.5: a header announcing more than 16 MiB of body is not flyer. */
const MAX_BODY = 16 * 1024 * 1024;
const FIRST_ID = 1000;
const LAST_ID = 1013;

// ---------------------------------------------------------------------------------------------------------------
// Body fields and message table

/** The three body primitives of §1.1: `string` (u16 LE byte count + bytes), `byte` (u8), `int` (i32 LE). */
type FieldKind = 'string' | 'byte' | 'int';

interface BodyField {
  name: string;
  kind: FieldKind;
  label: string;
  description?: string;
  enum?: Record<number, string>;
  /** Marker bytes with a fixed value (req = 0, resp = 1): anything else decodes with a warn note. */
  expect?: number;
}

/** An alternative body layout from a DOC ≠ WIRE box: decoded when only it fits the body, encoded on request. */
interface AltForm {
  /** The value of the document key `form` that selects it. */
  id: string;
  fields: BodyField[];
  /** The warn note raised when a body was decoded in this form. */
  note: string;
  description: string;
}

interface MessageDef {
  id: number;
  name: string;
  direction: Direction;
  replies?: string[];
  description: string;
  /** undefined: the body is shown raw (`flyer.body`). */
  fields?: BodyField[];
  alt?: AltForm;
  /** Header and body fields shown in the summary, in order. */
  summary: string[];
  /** Realistic values for the composer's template (header fields other than `protocol` included). */
  template: Doc;
}

const S = (name: string, label: string, description?: string): BodyField => ({ name, kind: 'string', label, description });

const appCode = S('appCode', 'appCode', 'application code (应用信息)');
const vhost = S('vhost', 'vhost (jobs)', 'virtual host; the document calls this string "jobs"; empty by default');
const jobBeanId = S('jobBeanId', 'jobBeanId', 'job bean id (任务beanId)');
const serverVersion: BodyField = { name: 'serverVersion', kind: 'int', label: 'serverVersion', description: 'server configuration version (服务器配置版本号)' };
const req: BodyField = { name: 'req', kind: 'byte', label: 'req', description: 'request marker (请求标记), 0', expect: 0 };
const resp: BodyField = { name: 'resp', kind: 'byte', label: 'resp', description: 'response marker (响应标记), 1', expect: 1 };
const result = (names: Record<number, string>): BodyField => ({ name: 'result', kind: 'byte', label: 'result', enum: names });

const REPORT_RESULTS = { 0: 'success', 1: 'exception', 2: 'cancelled', 3: 'other error' };

const MESSAGES: readonly MessageDef[] = [
  {
    id: 1000, name: 'PullTopology', direction: 'c2s', replies: ['PullTopologyResponse'],
    description: 'Asks for the server list and configuration version (sent on a short-lived extra connection).',
    fields: [], summary: ['packet_id'], template: { packet_id: '2725371800012' },
  },
  {
    id: 1001, name: 'PullTopologyResponse', direction: 's2c',
    description: 'Server configuration version and the comma-separated host:port server list.',
    fields: [serverVersion, S('servers', 'servers', 'server list (服务器配置): comma-separated host:port')],
    summary: ['serverVersion', 'servers'],
    template: { packet_id: '2725371800012', serverVersion: 7, servers: '127.0.0.1:20180,10.0.0.2:20180' },
  },
  {
    id: 1002, name: 'ShakeHand', direction: 'c2s', replies: ['ShakeHandResponse'],
    description: 'First message of a client connection: application code and virtual host.',
    fields: [appCode, vhost, req], summary: ['appCode', 'vhost'],
    template: { packet_id: '0', appCode: 'demo', vhost: '', req: 0 },
  },
  {
    id: 1003, name: 'ShakeHandResponse', direction: 's2c', description: 'Handshake accepted.',
    fields: [resp], summary: ['resp'], template: { packet_id: '0', resp: 1 },
  },
  {
    id: 1004, name: 'Heartbeat', direction: 'c2s', replies: ['HeartbeatResponse'],
    description: 'Sent every 30 s (the server drops a client idle for 60 s).',
    fields: [appCode, vhost, req],
    alt: {
      id: 'document', fields: [appCode, req],
      note: 'Heartbeat decoded in the document form (appCode, req) without vhost; the real client sends appCode, vhost, req',
      description: '"document": the document\'s layout appCode, req (no vhost). Omit for the real layout appCode, vhost, req.',
    },
    summary: ['appCode', 'vhost'], template: { packet_id: '0', appCode: 'demo', vhost: '', req: 0 },
  },
  {
    id: 1005, name: 'HeartbeatResponse', direction: 's2c', description: 'Heartbeat answer with the server configuration version.',
    fields: [resp, serverVersion], summary: ['serverVersion'], template: { packet_id: '0', resp: 1, serverVersion: 7 },
  },
  {
    id: 1006, name: 'ExecuteJob', direction: 's2c', replies: ['ExecuteJobResponse'],
    description: 'Runs a job on the client; the packet id is the job record id, echoed by 1007, 1008 and 1009.',
    fields: [jobBeanId, S('paramData', 'paramData', 'job parameters (参数信息)')],
    summary: ['packet_id', 'jobBeanId', 'paramData'],
    template: { packet_id: '1024', jobBeanId: 'demoJob', paramData: '{"date":"2024-01-01"}' },
  },
  {
    id: 1007, name: 'ExecuteJobResponse', direction: 'c2s', description: 'Whether the client accepted the job.',
    fields: [jobBeanId, result({ 0: 'accepted', 1: 'failed to submit' })],
    summary: ['packet_id', 'jobBeanId', 'result'], template: { packet_id: '1024', jobBeanId: 'demoJob', result: 0 },
  },
  {
    id: 1008, name: 'ReportJobResult', direction: 'c2s', replies: ['ReportJobResultResponse'],
    description: 'Final report of a job run (packet id = the ExecuteJob record id). result 3 is not in the document.',
    fields: [jobBeanId, result(REPORT_RESULTS), S('logStr', 'logStr', 'execution log (执行日志)')],
    summary: ['packet_id', 'jobBeanId', 'result'],
    template: { packet_id: '1024', jobBeanId: 'demoJob', result: 0, logStr: 'job finished in 12 ms' },
  },
  {
    id: 1009, name: 'ReportJobResultResponse', direction: 's2c', description: 'Report acknowledged (result is always 0).',
    fields: [jobBeanId, result({ 0: 'handled', 1: 'failed' })],
    summary: ['packet_id', 'jobBeanId', 'result'], template: { packet_id: '1024', jobBeanId: 'demoJob', result: 0 },
  },
  {
    id: 1010, name: 'CancelJob', direction: 's2c', replies: ['CancelJobResponse'],
    description: 'Cancels a running job (packet id = the job record id).',
    fields: [jobBeanId],
    alt: {
      id: 'client', fields: [vhost, jobBeanId],
      note: 'CancelJob decoded in the client-decoder form (vhost, jobBeanId); the real server sends jobBeanId only',
      description: '"client": the layout the real client\'s decoder expects, vhost, jobBeanId. Omit for the real layout jobBeanId.',
    },
    summary: ['packet_id', 'jobBeanId'], template: { packet_id: '1024', jobBeanId: 'demoJob' },
  },
  {
    id: 1011, name: 'CancelJobResponse', direction: 'c2s', description: 'Whether the job was cancelled.',
    fields: [jobBeanId, result({ 0: 'cancelled', 1: 'failed' })],
    alt: {
      id: 'client', fields: [vhost, jobBeanId, result({ 0: 'cancelled', 1: 'failed' })],
      note: 'CancelJobResponse decoded in the client form (vhost, jobBeanId, result); the real server reads jobBeanId, result',
      description: '"client": the layout the real client tries to send, vhost, jobBeanId, result. Omit for the real layout jobBeanId, result.',
    },
    summary: ['packet_id', 'jobBeanId', 'result'], template: { packet_id: '1024', jobBeanId: 'demoJob', result: 0 },
  },
  {
    id: 1012, name: 'CommitJob', direction: 'c2s', replies: ['CommitJobResponse'],
    description: 'Not implemented by the real software: header only, any body shown raw.',
    summary: ['packet_id', 'length'], template: { packet_id: '1024' },
  },
  {
    id: 1013, name: 'CommitJobResponse', direction: 's2c',
    description: 'Not implemented by the real software: header only, any body shown raw.',
    summary: ['packet_id', 'length'], template: { packet_id: '1024' },
  },
];

const UNKNOWN: MessageDef = {
  id: -1, name: 'Unknown', direction: 'c2s',
  description: 'A protocol id outside 1000…1013: header decoded, body shown raw. `protocol` is required.',
  summary: ['protocol', 'packet_id', 'length'], template: { protocol: 1014, packet_id: '0' },
};

const BY_ID = new Map(MESSAGES.map((m) => [m.id, m]));
const BY_NAME = new Map([...MESSAGES, UNKNOWN].map((m) => [m.name, m]));
const PROTOCOL_NAMES: Record<number, string> = Object.fromEntries(MESSAGES.map((m) => [m.id, m.name]));
/** §1.3: ids a client sends. */
const C2S_IDS = new Set([1000, 1002, 1004, 1007, 1008, 1011, 1012]);

// ---------------------------------------------------------------------------------------------------------------
// Elements

const header = group('Header', [
  int('start', 'u2le', { label: 'Start marker', expect: 1, description: '起始: always 1 (bytes 01 00); real readers do not check it' }),
  int('length', 'u4le', { label: 'Body length', sizeOf: { from: 'body', to: '@end' }, description: '包长: body length only, header excluded' }),
  int('protocol', 'u4le', { label: 'Protocol', enum: PROTOCOL_NAMES, description: '协议号: protocol id; value names are message names' }),
  int('version', 'u2le', { label: 'Version', default: 1, description: '协议版本: always 1, never checked' }),
  int('packet_id', 'u8le', { label: 'Packet id', description: '包编号: fresh id for 1000, 0 for 1002/1004, the job record id for 1006–1011' }),
]);

function fieldElement(f: BodyField): Element {
  if (f.kind === 'string') return str(f.name, 'u2le', { label: f.label, description: f.description });
  return int(f.name, f.kind === 'int' ? 's4le' : 'u1', { label: f.label, description: f.description, enum: f.enum, expect: f.expect });
}

const rawBody = restBytes('body', { label: 'body (raw)', description: 'body bytes of a message without a known layout', optional: true });

function elementsFor(fields: readonly BodyField[] | undefined): Element[] {
  const body = fields ? fields.map(fieldElement) : [rawBody];
  return [header, mark('body'), group('Body', body)];
}

/** Element lists per message and form, built once. */
const MAIN_ELEMENTS = new Map<MessageDef, Element[]>([...MESSAGES, UNKNOWN].map((m) => [m, elementsFor(m.fields)]));
const ALT_ELEMENTS = new Map<MessageDef, Element[]>(MESSAGES.filter((m) => m.alt).map((m) => [m, elementsFor(m.alt!.fields)]));

// ---------------------------------------------------------------------------------------------------------------
// Fast body walking (peek, form choice): sizes from the u16 prefixes only, no tree

/** The position after field `f` starting at `pos`, or -1 when it does not fit before `end`. */
function walkOne(f: BodyField, b: Uint8Array, pos: number, end: number): number {
  if (f.kind === 'string') {
    if (pos + 2 > end) return -1;
    pos += 2 + (b[pos] | (b[pos + 1] << 8));
  } else pos += f.kind === 'int' ? 4 : 1;
  return pos > end ? -1 : pos;
}

/** The position after `fields` starting at `pos`, or -1 when they do not fit before `end`. */
function walk(fields: readonly BodyField[], b: Uint8Array, pos: number, end: number): number {
  for (const f of fields) {
    pos = walkOne(f, b, pos, end);
    if (pos < 0) return -1;
  }
  return pos;
}

interface Layout {
  def: MessageDef;
  /** The alternative form the body was decoded in, if any. */
  alt?: AltForm;
  /** Declared body length (undefined when the header is shorter than 6 bytes). */
  length?: number;
  /** End of the body: 20 + length, cut at the end of the PDU. */
  bodyEnd: number;
  complete: boolean;
}

function layoutOf(pdu: Uint8Array): Layout {
  const n = pdu.length;
  const def = (n >= 10 ? BY_ID.get(peekInt(pdu, 6, 'u4le')) : undefined) ?? UNKNOWN;
  if (n < 6) return { def, bodyEnd: n, complete: false };
  const length = peekInt(pdu, 2, 'u4le');
  const wanted = FLYER_HEADER_SIZE + length;
  const complete = n >= wanted;
  const bodyEnd = complete ? wanted : n;
  // DOC ≠ WIRE: the alternative form only when the body is complete, the real form does not fit it exactly and the
  // alternative does (the two can never both fit: they differ by whole fields over the same leading bytes).
  const alt = def.alt && complete && walk(def.fields!, pdu, FLYER_HEADER_SIZE, bodyEnd) !== bodyEnd
    && walk(def.alt.fields, pdu, FLYER_HEADER_SIZE, bodyEnd) === bodyEnd ? def.alt : undefined;
  return { def, alt, length, bodyEnd, complete };
}

/** u64 LE as a decimal string; exact without BigInt while it is below 2^53 (every real packet id). */
function u64Le(b: Uint8Array, at: number): string {
  const lo = peekInt(b, at, 'u4le');
  const hi = peekInt(b, at + 4, 'u4le');
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

const SUMMARY_TEXT_MAX = 40;

function summaryText(s: string): string {
  const cut = s.length > SUMMARY_TEXT_MAX ? `${s.slice(0, SUMMARY_TEXT_MAX)}…` : s;
  return cut === '' || /[\s\u0000-\u001f]/.test(cut) ? JSON.stringify(cut) : cut;
}

/** The one-line summary, from the bytes (shared by peek and decode so they always agree). */
function summarize(pdu: Uint8Array, lay: Layout, charset: Charset): string {
  const { def } = lay;
  let out = def.name;
  const n = pdu.length;
  const fields = lay.alt ? lay.alt.fields : def.fields;
  let pos = FLYER_HEADER_SIZE;
  let fi = 0;
  for (const name of def.summary) {
    if (name === 'packet_id') { if (n >= 20) out += ` packet_id=${u64Le(pdu, 12)}`; continue; }
    if (name === 'length') { if (lay.length !== undefined) out += ` length=${lay.length}`; continue; }
    if (name === 'protocol') { if (n >= 10) out += ` protocol=${peekInt(pdu, 6, 'u4le')}`; continue; }
    if (!fields || n < FLYER_HEADER_SIZE) continue;
    // Body fields in wire order: skip to the wanted one, then read it if it is all there.
    while (fi < fields.length && fields[fi].name !== name) {
      const next = walkOne(fields[fi], pdu, pos, lay.bodyEnd);
      if (next < 0) return out;
      pos = next;
      fi++;
    }
    const f = fields[fi];
    if (!f) continue; // not in this form (vhost in the document form)
    const next = walkOne(f, pdu, pos, lay.bodyEnd);
    if (next < 0) return out;
    if (f.kind === 'string') {
      const text = charset === 'utf-8' ? fromUtf8(pdu, pos + 2, next) : decodeText(pdu, pos + 2, next, charset);
      out += ` ${name}=${summaryText(text)}`;
    } else {
      out += ` ${name}=${f.kind === 'int' ? peekInt(pdu, pos, 's4le') : pdu[pos]}`;
    }
    pos = next;
    fi++;
  }
  return out;
}

function pairOf(pdu: Uint8Array, def: MessageDef): PairingKey {
  if (def === UNKNOWN || pdu.length < FLYER_HEADER_SIZE) return { role: 'none' };
  // §1.3: the response is the request's id + 1 and echoes its packet id; heartbeats all use packet id 0 and
  // share one key, which pairing resolves first-in-first-out.
  const isRequest = def.id % 2 === 0;
  const response = isRequest ? def.id + 1 : def.id;
  const lo = peekInt(pdu, 12, 'u4le');
  const hi = peekInt(pdu, 16, 'u4le');
  // A number while exact (packet ids below 2^49: all real ones): no string is built or hashed per frame.
  const key = hi < 0x20000 ? (hi * 0x100000000 + lo) * 16 + (response - FIRST_ID) : `${response}:${u64Le(pdu, 12)}`;
  return { role: isRequest ? 'request' : 'response', key };
}

// ---------------------------------------------------------------------------------------------------------------
// Framing and detection

/**
 * §1.5 on whatever part of the header is present: `01 00`, length ≤ 16 MiB (and the PDU within maxPdu), protocol
 * 1000…1013, version 1. Checked byte by byte so a header cut by the end of the buffer is judged on its prefix.
 */
function headerPlausible(b: Uint8Array, off: number, end: number, maxPdu: number): boolean {
  const avail = end - off;
  if (avail < 1) return false;
  if (b[off] !== 0x01) return false;
  if (avail < 2) return true;
  if (b[off + 1] !== 0x00) return false;
  if (avail < 6) return true;
  const length = peekInt(b, off + 2, 'u4le');
  if (length > MAX_BODY || FLYER_HEADER_SIZE + length > maxPdu) return false;
  if (avail >= 7 && (b[off + 6] < 0xe8 || b[off + 6] > 0xf5)) return false;
  if (avail >= 8 && b[off + 7] !== 0x03) return false;
  if (avail >= 9 && b[off + 8] !== 0x00) return false;
  if (avail >= 10 && b[off + 9] !== 0x00) return false;
  if (avail >= 11 && b[off + 10] !== 0x01) return false;
  if (avail >= 12 && b[off + 11] !== 0x00) return false;
  return true;
}

/**
 * Real readers check nothing but the length, so a PDU with one odd header field (a start ≠ 1, an unknown protocol
 * id, another version) is still cut and decoded with a note. A header with two or more odd fields is garbage or a
 * stream joined mid-way: INVALID, and the deframer resynchronises on the next header passing §1.5 in full.
 */
function frameFlyer(b: Uint8Array, off: number, end: number, maxPdu: number): number {
  const avail = end - off;
  if (avail < FLYER_HEADER_SIZE) {
    // Reject early what can already be judged, so garbage is not buffered until 20 bytes arrive.
    if (avail >= 6) {
      const length = peekInt(b, off + 2, 'u4le');
      if (FLYER_HEADER_SIZE + length > maxPdu) return INVALID;
    }
    if (avail >= 12 && oddFields(b, off) >= 2) return INVALID;
    return NEED_MORE;
  }
  const total = FLYER_HEADER_SIZE + peekInt(b, off + 2, 'u4le');
  if (total > maxPdu) return INVALID;
  if (oddFields(b, off) >= 2) return INVALID;
  return avail < total ? NEED_MORE : total;
}

function oddFields(b: Uint8Array, off: number): number {
  const start = b[off] | (b[off + 1] << 8);
  const id = peekInt(b, off + 6, 'u4le');
  const version = b[off + 10] | (b[off + 11] << 8);
  return (start !== 1 ? 1 : 0) + (id < FIRST_ID || id > LAST_ID ? 1 : 0) + (version !== 1 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Decode, encode, peek

function decodeFlyer(pdu: Uint8Array, direction: Direction, opts: DecodeOptions = {}): DecodedFrame {
  const charset = opts.charset ?? 'utf-8';
  const lay = layoutOf(pdu);
  const elements = lay.alt ? ALT_ELEMENTS.get(lay.def)! : MAIN_ELEMENTS.get(lay.def)!;
  const r = decodeElements(elements, pdu, { prefix: PREFIX, charset, context: opts.context, end: lay.bodyEnd });
  const notes: Note[] = [];
  if (lay.length !== undefined && pdu.length >= FLYER_HEADER_SIZE && !lay.complete) {
    // Said at PDU level too: a raw body reads whatever is there and would not notice.
    const note: Note = { severity: 'error', message: `truncated: length announces ${lay.length} body bytes, ${pdu.length - FLYER_HEADER_SIZE} present` };
    notes.push(note);
    const lengthNode = r.tree[0]?.children?.find((n) => n.abbrev === `${PREFIX}.length`);
    if (lengthNode) addNote(lengthNode, note.severity, note.message);
  }
  notes.push(...r.notes);
  if (lay.alt) {
    notes.push({ severity: 'warn', message: lay.alt.note });
    const body = r.tree.find((n) => n.label === 'Body');
    if (body) addNote(body, 'warn', lay.alt.note);
    r.doc.form = lay.alt.id;
  }
  return assembleFrame({
    protocol: PREFIX, protocolLabel: 'flyer job scheduler', pdu, direction, message: lay.def.name,
    summary: summarize(pdu, lay, charset), value: r.doc, tree: r.tree, notes,
    consumed: r.consumed, failed: r.failed || !lay.complete,
  });
}

function encodeFlyer(message: string, _direction: Direction, value: Doc, opts: EncodeOptions = {}): Uint8Array {
  const def = BY_NAME.get(message);
  if (!def) throw new EncodeError(`flyer: unknown message ${JSON.stringify(message)} (expected one of ${[...BY_NAME.keys()].join(', ')})`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EncodeError('flyer: the message document must be an object');
  const doc: Doc = { ...value };
  if (def === UNKNOWN) {
    if (doc.protocol === undefined) throw new EncodeError('flyer.protocol: required for an Unknown message');
    const id = Number(doc.protocol);
    const known = BY_ID.get(id);
    if (known) throw new EncodeError(`flyer.protocol: ${id} is ${known.name}, not Unknown`);
  } else if (doc.protocol === undefined) {
    doc.protocol = def.id;
  } else if (String(doc.protocol) !== String(def.id)) {
    const other = BY_ID.get(Number(doc.protocol));
    throw new EncodeError(`flyer.protocol: ${JSON.stringify(doc.protocol)}${other ? ` is ${other.name}` : ''}, but the message is ${def.name} (${def.id})`);
  }
  let elements = MAIN_ELEMENTS.get(def)!;
  const form = doc.form;
  if (form !== undefined && form !== null) {
    if (!def.alt || form !== def.alt.id) {
      throw new EncodeError(`flyer.form: ${def.name} has ${def.alt ? `only the form "${def.alt.id}"` : 'no alternative form'}, got ${JSON.stringify(form)}`);
    }
    if (def.alt.id === 'document' && doc.vhost !== undefined) {
      throw new EncodeError(`flyer.vhost: the document form of ${def.name} has no vhost; drop vhost or form`);
    }
    elements = ALT_ELEMENTS.get(def)!;
  } else if (def.alt && def.alt.id === 'client' && doc.vhost !== undefined) {
    // Real form by default: a vhost here means the user wants the client layout and must say so.
    throw new EncodeError(`flyer.vhost: ${def.name} carries no vhost in its real form; set form: "client" to send the client layout`);
  }
  return encodeElements(elements, doc, { prefix: PREFIX, charset: opts.charset ?? 'utf-8', context: opts.context });
}

function peekFlyer(pdu: Uint8Array, _direction: Direction, opts: DecodeOptions = {}): Peek {
  const lay = layoutOf(pdu);
  const peek: Peek = { message: lay.def.name, summary: summarize(pdu, lay, opts.charset ?? 'utf-8'), pair: pairOf(pdu, lay.def) };
  if (pdu.length < FLYER_HEADER_SIZE) peek.malformed = true;
  return peek;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages, catalog

function messageSchema(def: MessageDef): JsonSchema {
  const schema = schemaOf(MAIN_ELEMENTS.get(def)!, def.name);
  const props = schema.properties!;
  if (def === UNKNOWN) {
    props.protocol = { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'protocol id (not 1000…1013)' };
    schema.required = ['protocol'];
  } else {
    props.protocol = { type: 'integer', const: def.id, default: def.id, description: `protocol id ${def.id} (${def.name}); derived from the message name when absent` };
  }
  if (def.alt) {
    const alt = schemaOf(ALT_ELEMENTS.get(def)!);
    for (const [k, v] of Object.entries(alt.properties!)) props[k] ??= { ...v, description: `${v.description ?? k} (form "${def.alt.id}" only)` };
    props.form = { enum: [def.alt.id], description: def.alt.description };
    // Fields missing from one form are not required.
    schema.required = (schema.required ?? []).filter((n) => alt.required!.includes(n));
  }
  return schema;
}

function messageInfo(def: MessageDef): MessageInfo {
  const dir: MessageDirection = def === UNKNOWN ? 'both' : def.direction;
  const info: MessageInfo = {
    name: def.name, direction: dir,
    description: def === UNKNOWN ? def.description : `${def.id}: ${def.description}`,
    schema: messageSchema(def),
    template: () => ({ start: 1, protocol: def.id, version: 1, ...structuredClone(def.template) }),
  };
  if (def.replies) info.replies = [...def.replies];
  return info;
}

/** §1.6 order; `flyer.body` (raw bodies) last. */
const CATALOG_ORDER = [
  'start', 'length', 'protocol', 'version', 'packet_id', 'serverVersion', 'servers_len', 'servers', 'appCode_len',
  'appCode', 'vhost_len', 'vhost', 'req', 'resp', 'jobBeanId_len', 'jobBeanId', 'paramData_len', 'paramData', 'result',
  'logStr_len', 'logStr', 'body',
].map((n) => `${PREFIX}.${n}`);

function buildCatalog(): CatalogEntry[] {
  const all = [...MAIN_ELEMENTS.values(), ...ALT_ELEMENTS.values()].flatMap((els) => catalogOf(els, PREFIX));
  const byAbbrev = new Map<string, CatalogEntry>();
  for (const e of all) if (!byAbbrev.has(e.abbrev)) byAbbrev.set(e.abbrev, e);
  // result's values differ per message: the catalog lists them in the description instead of one enum.
  const resultEntry = byAbbrev.get(`${PREFIX}.result`)!;
  delete resultEntry.enum;
  resultEntry.description = '1007: 0 accepted, 1 failed to submit · 1008: 0 success, 1 exception, 2 cancelled, 3 other error · 1009: always 0 · 1011: 0 cancelled, 1 failed';
  return CATALOG_ORDER.map((a) => byAbbrev.get(a)!).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------------------------
// Engine fast paths (same values as decode and peek; flyer-extract.ts, test/unit/protocols/extract.test.ts)

/** The body fields when the PDU is complete, exactly as long as announced, and the real form consumes the body. */
function exactBody(pdu: Uint8Array): readonly BodyField[] | undefined {
  if (pdu.length < FLYER_HEADER_SIZE) return undefined;
  const lay = layoutOf(pdu);
  const fields = lay.def.fields;
  if (!fields || lay.alt || !lay.complete || lay.bodyEnd !== pdu.length) return undefined;
  return walk(fields, pdu, FLYER_HEADER_SIZE, lay.bodyEnd) === lay.bodyEnd ? fields : undefined;
}

function classifyFlyer(pdu: Uint8Array): Omit<Peek, 'summary'> {
  const def = (pdu.length >= 10 ? BY_ID.get(peekInt(pdu, 6, 'u4le')) : undefined) ?? UNKNOWN;
  const c: Omit<Peek, 'summary'> = { message: def.name, pair: pairOf(pdu, def) };
  if (pdu.length < FLYER_HEADER_SIZE) c.malformed = true;
  return c;
}

export const flyerProtocol: Protocol = {
  id: PREFIX,
  name: 'flyer',
  description: 'flyer-job scheduler protocol: flyer server (port 20180) ↔ job-executor clients, 20-byte little-endian header',
  ports: [FLYER_PORT],
  messages: [...MESSAGES, UNKNOWN].map(messageInfo),
  catalog: buildCatalog(),

  detect(first) {
    if (first.length < 12) return false;
    if (first[0] !== 0x01 || first[1] !== 0x00) return false;
    const id = peekInt(first, 6, 'u4le');
    return id >= FIRST_ID && id <= LAST_ID && peekInt(first, 10, 'u2le') === 1 && peekInt(first, 2, 'u4le') <= MAX_BODY;
  },

  guessDirection(pdu) {
    if (pdu.length < 10) return 'c2s';
    return C2S_IDS.has(peekInt(pdu, 6, 'u4le')) ? 'c2s' : 's2c';
  },

  framer(_direction, opts: FramerOptions = {}): Framer {
    const maxPdu = opts.maxPdu ?? DEFAULT_MAX_PDU;
    return {
      frame: (buf, off, end) => frameFlyer(buf, off, end, maxPdu),
      plausible: (buf, off, end) => headerPlausible(buf, off, end, maxPdu),
    };
  },

  peek: peekFlyer,
  decode: decodeFlyer,
  extract: (pdu, direction, names, opts) => extractFlyer(pdu, direction, names, opts, exactBody, decodeFlyer),
  classify: classifyFlyer,
  encode: encodeFlyer,
};

/**
 * txlcn — TX-LCN 5.0.0 TxClient ↔ TxManager (PROTOCOLS.md §4). On the wire every message is one `NettyRpcCmd`
 * serialized by Netty's compact object stream inside two u32 length prefixes ([L1][L2]); the JSON the document shows
 * is only its log rendering (`txlcn.json`), and `MessageDto.bytes` is a protobuf payload (params.ts). The JSON form is
 * decoded as a compatibility fallback (variant `json`, or any payload starting with `{`).
 *
 * The message document is flat: `stream_version`, `key`, `action`, `bytes` (hex) or `params` (the decoded payload,
 * when re-encoding it gives the same bytes), `groupId`, `remoteKey`, all nullable. Only captured oddities add members:
 * `refs` (fields written as TC_REFERENCE → handle), `stream` (a valid but non-canonical serialization, kept verbatim),
 * `length` / `inner_length` (when the wire disagrees), and in JSON mode `framing` and `text`.
 */
import { asciiPreview, bytesEqual, concatBytes, fromHex, fromUtf8, latin1Text, toHex, utf8, HexError } from '../../codec/bytes';
import { assembleFrame } from '../../codec/frame';
import { DEFAULT_MAX_PDU, indexOf, peekInt } from '../../codec/framing';
import {
  BASE_HANDLE, JavaStreamWriter, STRING_SIGNATURE, TC_ARRAY, TC_CLASSDESC, TC_ENDBLOCKDATA, TC_NULL, TC_OBJECT, TC_STRING,
  clip, decodeJavaStream, decodeModifiedUtf8, deref, encodeModifiedUtf8, handleHex, typeCodeNode, wireOrder,
  type JavaArray, type JavaClassDesc, type JavaClassSpec, type JavaClassTable, type JavaEntity, type JavaFieldDef,
  type JavaObject, type JavaStreamResult, type JavaString, type JavaValue,
} from '../../codec/java-serialization';
import { JsonSyntaxError, jsonQuote, parseJsonBytes, type JsonNode, type JsonValue } from '../../codec/json';
import { decodeMessage, encodeMessage, encodesTo, fromBase64, toBase64, type PbMessage } from '../../codec/protobuf';
import {
  INVALID, NEED_MORE,
  type DecodeOptions, type DecodedFrame, type Direction, type EncodeOptions, type Framer, type FramerOptions,
  type MessageDirection, type MessageInfo, type PairingKey, type Peek, type Protocol,
} from '../../codec/protocol';
import { DERIVED, EncodeError, type CatalogEntry, type Doc, type JsonSchema } from '../../codec/schema';
import type { FieldNode, Note } from '../../codec/tree';
import { CompareWriter } from './compare-writer';
import { ALL_TABLES, PB_OPTIONS, REPLY_TABLES, REQUEST_TABLES, INIT_CLIENT_PARAMS, TRANSACTION_STATE_REPLY, replyTableByShape } from './params';

const PREFIX = 'txlcn';
const LABEL = 'TX-LCN';
export const TXLCN_PORT = 8070;

// ---------------------------------------------------------------------------------------------------------------
// The classes on the wire (§4.2)

export const NETTY_RPC_CMD = 'com.codingapi.tx.spi.message.netty.bean.NettyRpcCmd';
export const RPC_CMD = 'com.codingapi.tx.spi.message.dto.RpcCmd';
export const MESSAGE_DTO = 'com.codingapi.tx.spi.message.dto.MessageDto';
const MESSAGE_DTO_SIGNATURE = `L${MESSAGE_DTO.replace(/\./g, '/')};`;

export const TXLCN_CLASSES: JavaClassTable = {
  [NETTY_RPC_CMD]: { fields: [] },
  [RPC_CMD]: {
    fields: [
      { name: 'key', type: 'L', signature: STRING_SIGNATURE },
      { name: 'msg', type: 'L', signature: MESSAGE_DTO_SIGNATURE },
      { name: 'remoteKey', type: 'L', signature: STRING_SIGNATURE },
    ],
  },
  [MESSAGE_DTO]: {
    fields: [
      { name: 'action', type: 'L', signature: STRING_SIGNATURE },
      { name: 'bytes', type: '[', signature: '[B' },
      { name: 'groupId', type: 'L', signature: STRING_SIGNATURE },
    ],
  },
};

const NETTY_RPC_CMD_SPEC: JavaClassSpec = { name: NETTY_RPC_CMD, superclass: { name: RPC_CMD, superclass: null } };
const MESSAGE_DTO_SPEC: JavaClassSpec = { name: MESSAGE_DTO, superclass: null };

// ---------------------------------------------------------------------------------------------------------------
// Messages (§4.3)

interface ActionDef {
  action: string;
  direction: MessageDirection;
  replies?: string[];
  description: string;
  template: Doc;
}

const KEY = '25303248287617950';
const GROUP = '25303224612738888';
const UNIT = '4d5570277c85929929ae140b61e607f0';
const TO_MANAGER = '/127.0.0.1:8070';
const TO_CLIENT = '/127.0.0.1:59360';

const ACTIONS: ActionDef[] = [
  {
    action: 'cg', direction: 'c2s', replies: ['rok', 'rex'], description: 'Create a transaction group (document item 1); no payload',
    template: { stream_version: 5, key: '253032248421004632', action: 'cg', bytes: null, groupId: GROUP, remoteKey: TO_MANAGER },
  },
  {
    action: 'atg', direction: 'c2s', replies: ['rok', 'rex'], description: 'Join a transaction group (document item 2); JoinGroupParams',
    template: { stream_version: 5, key: KEY, action: 'atg', params: { groupId: GROUP, unitId: UNIT, unitType: 'txc' }, groupId: GROUP, remoteKey: TO_MANAGER },
  },
  {
    action: 'clg', direction: 'c2s', replies: ['rok', 'rex'], description: 'Notify the group: commit, rollback or close (document item 3); NotifyGroupParams',
    template: { stream_version: 5, key: '253032592607473146', action: 'clg', params: { groupId: GROUP, state: 1 }, groupId: GROUP, remoteKey: TO_MANAGER },
  },
  {
    action: 'nt', direction: 's2c', replies: ['rok', 'rex'], description: 'Notify a transaction unit (document item 4); NotifyUnitParams',
    template: { stream_version: 5, key: '25462490615581871', action: 'nt', params: { groupId: GROUP, unitId: UNIT, unitType: 'lcn', state: 1 }, groupId: GROUP, remoteKey: '/127.0.0.1:59631' },
  },
  {
    action: 'ats', direction: 'c2s', replies: ['rok'], description: 'Ask the transaction state (document item 5); AskTransactionStateParams, answered by a rok with the state',
    template: { stream_version: 5, key: '251725517007399087', action: 'ats', params: { groupId: GROUP, unitId: UNIT }, groupId: GROUP, remoteKey: TO_MANAGER },
  },
  {
    action: 'h', direction: 'both', replies: ['h'], description: 'Heartbeat (document item 6): TxManager sends it on an idle connection, the client echoes the same object',
    template: { stream_version: 5, key: '252356025399579923', action: 'h', bytes: null, groupId: null, remoteKey: null },
  },
  {
    action: 'nc', direction: 's2c', description: 'Connect to another TxManager (document item 7); one-way (key null); NotifyConnectParams',
    template: { stream_version: 5, key: null, action: 'nc', params: { host: '127.0.0.1', port: 8072 }, groupId: null, remoteKey: '/127.0.0.1:60302' },
  },
  {
    action: 'wc', direction: 'c2s', replies: ['rok', 'rex'], description: 'Write compensation / report an exception (document item 8); TxExceptionParams',
    template: { stream_version: 5, key: '251725517007399087', action: 'wc', params: { groupId: GROUP, unitId: UNIT, registrar: 0, transactionState: 1 }, groupId: GROUP, remoteKey: TO_MANAGER },
  },
  {
    action: 'gal', direction: 's2c', replies: ['rok', 'rex'], description: 'Get the aspect log (document item 9, shown there as wc); GetAspectLogParams, answered with the log bytes',
    template: { stream_version: 5, key: '251725517007399087', action: 'gal', params: { groupId: GROUP, unitId: UNIT }, groupId: GROUP, remoteKey: TO_CLIENT },
  },
  {
    action: 'ic', direction: 'c2s', replies: ['rok', 'rex'], description: 'Init the client (document item 10); groupId "init"; InitClientParams with dtxTime 0',
    template: { stream_version: 5, key: '251725517007399087', action: 'ic', params: { appName: 'spring-demo-client', dtxTime: '0' }, groupId: 'init', remoteKey: TO_MANAGER },
  },
  {
    action: 'rok', direction: 'both', description: 'OK response: the request\'s key, its payload depends on the request (ic: InitClientParams, ats: the state)',
    template: { stream_version: 5, key: '251725517007399087', action: 'rok', params: { appName: 'spring-demo-client', dtxTime: '30000' }, groupId: 'init', remoteKey: TO_CLIENT },
  },
  {
    action: 'rex', direction: 'both', description: 'Error response: the request\'s key, the payload a serialized exception (opaque)',
    template: { stream_version: 5, key: '253032248421004632', action: 'rex', bytes: '0a0d6e6f20737563682067726f7570', groupId: GROUP, remoteKey: TO_CLIENT },
  },
];

const BY_ACTION = new Map(ACTIONS.map((a) => [a.action, a]));
const UNKNOWN = 'Unknown';
const NULL_MSG = 'Null';

/** What a PDU says, whichever form it came in; `undefined` members were not decoded (truncated PDU). */
interface Cmd {
  key?: string | null;
  /** null: the msg field is null (message Null). */
  msg?: MsgValues | null;
  remoteKey?: string | null;
}

interface MsgValues {
  action?: string | null;
  bytes?: Uint8Array | null;
  groupId?: string | null;
}

function messageName(c: Cmd): string {
  if (c.msg === null) return NULL_MSG;
  const action = c.msg?.action;
  return typeof action === 'string' && BY_ACTION.has(action) ? action : UNKNOWN;
}

function summaryValue(s: string): string {
  let plain = s.length <= 64;
  for (let i = 0; plain && i < s.length; i++) { const c = s.charCodeAt(i); if (c < 0x20 || c === 0x7f) plain = false; }
  if (plain) return s;
  const flat = s.replace(/[\x00-\x1f\x7f]/g, '.');
  return flat.length > 64 ? `${flat.slice(0, 61)}…` : flat;
}

/** One line from the decoded values (shared by peek and decode, so they always agree). */
function summarize(name: string, c: Cmd): string {
  let out = name;
  if (name === UNKNOWN && typeof c.msg?.action === 'string') out += ` action=${summaryValue(c.msg.action)}`;
  if (typeof c.key === 'string') out += ` key=${summaryValue(c.key)}`;
  if (typeof c.msg?.groupId === 'string') out += ` groupId=${summaryValue(c.msg.groupId)}`;
  // remoteKey is informational (the receiver overwrites it): shown only when nothing else identifies the message.
  if (typeof c.remoteKey === 'string' && typeof c.key !== 'string' && typeof c.msg?.groupId !== 'string') out += ` remoteKey=${summaryValue(c.remoteKey)}`;
  return out;
}

/** §4.3: same key, opposite direction; rok/rex close, heartbeats pair with their echo, keyless messages take no part. */
function pairingOf(name: string, c: Cmd, direction: Direction): PairingKey {
  if (name === NULL_MSG || typeof c.key !== 'string') return { role: 'none' };
  if (name === 'rok' || name === 'rex') return { role: 'response', key: c.key };
  if (name === 'h') return { role: direction === 's2c' ? 'request' : 'response', key: c.key };
  return { role: 'request', key: c.key };
}

/** §4.4: compact, alphabetical members, nulls omitted, bytes as padded Base64. */
function renderJson(c: Cmd): string {
  let out = '{';
  if (typeof c.key === 'string') out += `"key":${jsonQuote(c.key)}`;
  if (c.msg) {
    let m = '';
    if (typeof c.msg.action === 'string') m += `"action":${jsonQuote(c.msg.action)}`;
    if (c.msg.bytes) m += `${m ? ',' : ''}"bytes":"${toBase64(c.msg.bytes)}"`;
    if (typeof c.msg.groupId === 'string') m += `${m ? ',' : ''}"groupId":${jsonQuote(c.msg.groupId)}`;
    out += `${out.length > 1 ? ',' : ''}"msg":{${m}}`;
  }
  if (typeof c.remoteKey === 'string') out += `${out.length > 1 ? ',' : ''}"remoteKey":${jsonQuote(c.remoteKey)}`;
  return `${out}}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Payloads (§4.5)

/** The table for a payload, and an info note when it was chosen without the request (a `rok` decoded alone). */
function payloadTable(name: string, data: Uint8Array, context: Record<string, unknown> | undefined, notes: Note[]): PbMessage | undefined {
  if (name in REQUEST_TABLES) return REQUEST_TABLES[name];
  if (name !== 'rok' || data.length === 0) return undefined;
  const request = context?.requestAction;
  if (typeof request === 'string') return REPLY_TABLES[request];
  const table = replyTableByShape(data, 0, data.length);
  notes.push({
    severity: 'info',
    message: table
      ? `no request context: the rok payload is read as ${table.name} by its shape`
      : 'no request context: the rok payload is shown raw',
  });
  return table;
}

interface PayloadResult {
  /** The payload subtree (no abbrev of its own; its fields are `txlcn.params.*`). */
  node?: FieldNode;
  /** The decoded payload, set only when encoding it back gives the same bytes. */
  params?: { [key: string]: JsonValue };
}

/**
 * Decodes `data` (= pdu[start..end) in binary mode) with the action's table. A payload that does not fit the table
 * (the document's examples 5, 8, 9) is shown as generic protobuf with a warn note.
 */
function decodePayload(pdu: Uint8Array, start: number, end: number, name: string, context: Record<string, unknown> | undefined, notes: Note[]): PayloadResult {
  const data = pdu.subarray(start, end);
  const table = payloadTable(name, data, context, notes);
  if (!table) return {};
  let decoded;
  try {
    decoded = decodeMessage(pdu, start, end, table, `${PREFIX}.params`, table.name, PB_OPTIONS);
  } catch (e) {
    notes.push({ severity: 'warn', message: `bytes are not a valid ${table.name} protobuf (${(e as Error).message}): shown raw` });
    return {};
  }
  if (decoded.notes.length > 0) {
    const generic = decodeMessage(pdu, start, end, undefined, `${PREFIX}.params`, 'payload', PB_OPTIONS);
    let hint = '';
    if (table !== INIT_CLIENT_PARAMS) {
      try {
        const ic = decodeMessage(pdu, start, end, INIT_CLIENT_PARAMS, 'ic', 'ic', PB_OPTIONS);
        if (ic.notes.length === 0 && ic.value.appName !== undefined) hint = `; it reads as InitClientParams (appName ${JSON.stringify(ic.value.appName)}), as in the document's examples 5, 8 and 9`;
      } catch { /* not InitClientParams either */ }
    }
    const message = `bytes do not parse as ${table.name} (${decoded.notes[0].message.replace(`${PREFIX}.params.`, '')}): shown as generic protobuf${hint}`;
    notes.push({ severity: 'warn', message });
    const node = generic.node;
    delete node.abbrev;
    node.label = 'payload (generic protobuf)';
    node.notes = [{ severity: 'warn', message }];
    return { node };
  }
  const node = decoded.node;
  delete node.abbrev;
  node.label = `payload: ${table.name}`;
  let params: PayloadResult['params'];
  try {
    if (decoded.canonical || encodesTo(decoded.value, table, PB_OPTIONS, `${PREFIX}.params`, pdu, start, end)) params = decoded.value;
  } catch { /* not reproducible from the values: the document keeps the bytes */ }
  return { node, params };
}

/** The table to encode `params` with: the action's, for a rok the request's (context) or the one its members name. */
function encodeTable(action: string | null, params: { [key: string]: JsonValue }, context: Record<string, unknown> | undefined): PbMessage {
  if (action !== null && action in REQUEST_TABLES) return REQUEST_TABLES[action];
  if (action === 'rok') {
    const request = context?.requestAction;
    if (typeof request === 'string' && REPLY_TABLES[request]) return REPLY_TABLES[request];
    const keys = Object.keys(params);
    for (const t of [TRANSACTION_STATE_REPLY, INIT_CLIENT_PARAMS]) if (keys.length > 0 && keys.every((k) => t.fields.some((f) => f.name === k))) return t;
    throw new EncodeError(`${PREFIX}.params: cannot tell the rok payload's table from its members (${keys.join(', ')}); give bytes as hex or a context.requestAction`);
  }
  throw new EncodeError(`${PREFIX}.params: action ${JSON.stringify(action)} has no payload table; give bytes as hex`);
}

// ---------------------------------------------------------------------------------------------------------------
// Binary decoding

function lengthNode(abbrev: string, label: string, start: number, value: number): FieldNode {
  return { abbrev, label, start, length: 4, value };
}

interface Extracted {
  cmd: Cmd;
  refs: Record<string, number>;
  /** The NettyRpcCmd object as decoded (possibly partial). */
  top?: JavaObject;
  msgObject?: JavaObject;
  problem?: string;
}

/** A String field's text (null, or undefined when it holds no String); a reference is listed in `refs`. */
function stringField(obj: JavaObject, name: string, refs: Record<string, number>): string | null | undefined {
  const v = obj.values[name];
  if (v === undefined || v === null) return v;
  if (typeof v === 'object' && v.kind === 'ref') refs[name] = v.handle;
  const t = deref(v);
  return t !== null && typeof t === 'object' && t.kind === 'string' ? t.text : undefined;
}

/** The NettyRpcCmd's values out of the Java value model; references resolve to their targets and are listed in `refs`. */
function extract(content: JavaValue | undefined): Extracted {
  const refs: Record<string, number> = {};
  const cmd: Cmd = {};
  if (content === undefined) return { cmd, refs };
  const top = deref(content);
  if (top === null || top === undefined || typeof top !== 'object' || top.kind !== 'object') {
    return { cmd, refs, problem: 'the stream does not hold a NettyRpcCmd object' };
  }
  cmd.key = stringField(top, 'key', refs);
  const msgValue = top.values.msg;
  let msgObject: JavaObject | undefined;
  if (msgValue === null) cmd.msg = null;
  else if (msgValue !== undefined) {
    if (typeof msgValue === 'object' && msgValue.kind === 'ref') refs.msg = msgValue.handle;
    const m = deref(msgValue);
    if (m !== null && typeof m === 'object' && m.kind === 'object') {
      msgObject = m;
      const msg: MsgValues = {};
      msg.action = stringField(m, 'action', refs);
      const b = m.values.bytes;
      if (b === null) msg.bytes = null;
      else if (b !== undefined) {
        if (typeof b === 'object' && b.kind === 'ref') refs.bytes = b.handle;
        const arr = deref(b);
        if (arr !== null && typeof arr === 'object' && arr.kind === 'array' && arr.bytes) msg.bytes = arr.bytes;
      }
      msg.groupId = stringField(m, 'groupId', refs);
      cmd.msg = msg;
    }
  }
  cmd.remoteKey = stringField(top, 'remoteKey', refs);
  const problem = top.desc.name !== NETTY_RPC_CMD ? `the object is a ${top.desc.name}, not a ${NETTY_RPC_CMD}` : undefined;
  return { cmd, refs, top, msgObject, problem };
}

// ---------------------------------------------------------------------------------------------------------------
// Fast decode of the canonical layout: exactly what encodeStream writes (thin descriptors, the fat `[B` descriptor,
// literal ASCII strings), built straight into the nodes and values decodeJavaStream gives for it. Anything else
// (references, long strings, non-ASCII text, a thin `[B`, trailing bytes) goes through the generic decoder.

const CLASS_NAME_ABBREV = `${PREFIX}.class_name`;
const BYTE_ARRAY_UID = BigInt.asIntN(64, 0xacf317f8060854e0n).toString();
const WIRE_FIELDS: Record<string, readonly JavaFieldDef[]> = {
  [NETTY_RPC_CMD]: wireOrder(TXLCN_CLASSES[NETTY_RPC_CMD].fields),
  [RPC_CMD]: wireOrder(TXLCN_CLASSES[RPC_CMD].fields),
  [MESSAGE_DTO]: wireOrder(TXLCN_CLASSES[MESSAGE_DTO].fields),
};
const FIELD_ABBREV: Record<string, string> = {};
const LEN_ABBREV: Record<string, string> = {};
for (const f of ['key', 'action', 'bytes', 'groupId', 'remoteKey']) { FIELD_ABBREV[f] = `${PREFIX}.${f}`; LEN_ABBREV[f] = `${PREFIX}.${f}_len`; }

interface FastStream { p: Uint8Array; pos: number; handles: JavaEntity[] }

/** A thin descriptor whose bytes were already matched, with its (thin or none) superclass. */
function fastThinDesc(s: FastStream, tree: FieldNode[], label: string, name: string, superName: string | null): JavaClassDesc {
  const start = s.pos;
  const handle = BASE_HANDLE + s.handles.length;
  const desc: JavaClassDesc = { kind: 'class', handle, name, form: 'thin', superclass: null, start, end: start, fields: WIRE_FIELDS[name] };
  s.handles.push(desc);
  const n = name.length;
  const children: FieldNode[] = [
    typeCodeNode(start, TC_CLASSDESC),
    { label: 'descriptor kind', start: start + 1, length: 1, value: 1, display: '1 (thin)' },
    { label: 'class name length', start: start + 2, length: 2, value: n },
    { label: 'class name', start: start + 4, length: n, value: name, abbrev: CLASS_NAME_ABBREV },
    { label: 'end of annotations', start: start + 4 + n, length: 1, value: TC_ENDBLOCKDATA, display: '0x78 (TC_ENDBLOCKDATA)' },
  ];
  const node: FieldNode = { label, start, length: 0, children, display: `${name} (thin, handle ${handleHex(handle)})` };
  tree.push(node);
  s.pos = start + 5 + n;
  if (superName === null) {
    children.push({ label: 'superclass descriptor', start: s.pos, length: 1, display: 'none (TC_NULL)' });
    s.pos++;
  } else desc.superclass = fastThinDesc(s, children, 'superclass descriptor', superName, null);
  desc.end = s.pos;
  node.length = s.pos - start;
  return desc;
}

function fastNull(s: FastStream, tree: FieldNode[], name: string, obj: JavaObject): void {
  const node: FieldNode = { label: name, start: s.pos, length: 1, display: 'null' };
  tree.push(node);
  obj.values[name] = null;
  obj.nodes[name] = node;
  s.pos++;
}

/** A String field: null or a literal of printable-or-control ASCII (no NUL, which modified UTF-8 writes as c0 80). */
function fastString(s: FastStream, tree: FieldNode[], name: string, obj: JavaObject): boolean {
  const p = s.p;
  const start = s.pos;
  const c = p[start];
  if (c === TC_NULL) { fastNull(s, tree, name, obj); return true; }
  if (c !== TC_STRING || start + 3 > p.length) return false;
  const len = (p[start + 1] << 8) | p[start + 2];
  const at = start + 3;
  const stop = at + len;
  if (stop > p.length) return false;
  for (let i = at; i < stop; i++) { const b = p[i]; if (b === 0 || b >= 0x80) return false; }
  const text = latin1Text(p, at, stop);
  const handle = BASE_HANDLE + s.handles.length;
  const str: JavaString = { kind: 'string', handle, text, long: false, start, end: stop };
  s.handles.push(str);
  const node: FieldNode = {
    label: name, start, length: stop - start,
    children: [typeCodeNode(start, TC_STRING), { label: 'length', start: start + 1, length: 2, value: len, abbrev: LEN_ABBREV[name] }],
    abbrev: FIELD_ABBREV[name], value: text, display: `${clip(text)} (handle ${handleHex(handle)})`,
  };
  tree.push(node);
  obj.values[name] = str;
  obj.nodes[name] = node;
  s.pos = stop;
  return true;
}

/** MessageDto.bytes: null or a `byte[]` with the fat descriptor Netty writes. */
function fastBytes(s: FastStream, tree: FieldNode[], obj: JavaObject): boolean {
  const p = s.p;
  const start = s.pos;
  if (p[start] === TC_NULL) { fastNull(s, tree, 'bytes', obj); return true; }
  const countAt = start + BYTES_HEAD.bytes.length;
  if (countAt + 4 > p.length || !startsWith(p, start, BYTES_HEAD)) return false;
  const count = peekInt(p, countAt, 's4be');
  const dataStart = countAt + 4;
  if (count < 0 || count > p.length - dataStart) return false;
  const d = start + 1;
  const dhandle = BASE_HANDLE + s.handles.length;
  const desc: JavaClassDesc = {
    kind: 'class', handle: dhandle, name: '[B', form: 'fat', superclass: null, start: d, end: countAt,
    serialVersionUID: BYTE_ARRAY_UID, flags: 2, fields: [],
  };
  s.handles.push(desc);
  const descNode: FieldNode = {
    label: 'class descriptor', start: d, length: countAt - d,
    children: [
      typeCodeNode(d, TC_CLASSDESC),
      { label: 'descriptor kind', start: d + 1, length: 1, value: 0, display: '0 (fat)' },
      { label: 'class name length', start: d + 2, length: 2, value: 2 },
      { label: 'class name', start: d + 4, length: 2, value: '[B', abbrev: CLASS_NAME_ABBREV },
      { label: 'serialVersionUID', start: d + 6, length: 8, value: BYTE_ARRAY_UID, display: '0xacf317f8060854e0' },
      { label: 'flags', start: d + 14, length: 1, value: 2, display: '0x02 (SC_SERIALIZABLE)' },
      { label: 'field count', start: d + 15, length: 2, value: 0 },
      { label: 'end of annotations', start: d + 17, length: 1, value: TC_ENDBLOCKDATA, display: '0x78 (TC_ENDBLOCKDATA)' },
      { label: 'superclass descriptor', start: d + 18, length: 1, display: 'none (TC_NULL)' },
    ],
    display: `[B (fat, handle ${handleHex(dhandle)})`,
  };
  const handle = BASE_HANDLE + s.handles.length;
  const stop = dataStart + count;
  const bytes = p.subarray(dataStart, stop);
  const arr: JavaArray = { kind: 'array', handle, desc, length: count, dataStart, start, end: stop, bytes };
  s.handles.push(arr);
  const node: FieldNode = {
    label: 'bytes', start, length: stop - start,
    children: [typeCodeNode(start, TC_ARRAY), descNode, { label: 'length', start: countAt, length: 4, value: count, abbrev: LEN_ABBREV.bytes }],
    abbrev: FIELD_ABBREV.bytes, value: toHex(bytes), display: `${count} byte${count === 1 ? '' : 's'}: ${asciiPreview(bytes)} (handle ${handleHex(handle)})`,
  };
  tree.push(node);
  obj.values.bytes = arr;
  obj.nodes.bytes = node;
  s.pos = stop;
  return true;
}

/**
 * decodeJavaStream's result for a PDU whose stream (8 to the end) is in the canonical layout, or undefined. Such a
 * stream is also what encodeStream writes for the decoded values (decode's canonical check holds by construction).
 */
function fastStream(p: Uint8Array): JavaStreamResult | undefined {
  const n = p.length;
  if (n < 8 + HEAD.bytes.length || !startsWith(p, 8, HEAD)) return undefined;
  const s: FastStream = { p, pos: 10, handles: [] };
  const topNode: FieldNode = { label: 'NettyRpcCmd', start: 9, length: 0, children: [typeCodeNode(9, TC_OBJECT)] };
  const nodes: FieldNode[] = [{ abbrev: `${PREFIX}.stream_version`, label: 'stream version', start: 8, length: 1, value: 5 }, topNode];
  const c = topNode.children!;
  const desc = fastThinDesc(s, c, 'class descriptor', NETTY_RPC_CMD, RPC_CMD);
  const top: JavaObject = { kind: 'object', handle: BASE_HANDLE + s.handles.length, desc, values: {}, nodes: {}, start: 9, end: 9 };
  s.handles.push(top);
  topNode.display = `NettyRpcCmd (handle ${handleHex(top.handle)})`;
  if (!fastString(s, c, 'key', top)) return undefined;
  const at = s.pos;
  if (p[at] === TC_NULL) fastNull(s, c, 'msg', top);
  else if (startsWith(p, at, MSG_HEAD)) {
    const msgNode: FieldNode = { label: 'msg', start: at, length: 0, children: [typeCodeNode(at, TC_OBJECT)] };
    c.push(msgNode);
    const mc = msgNode.children!;
    s.pos = at + 1;
    const mdesc = fastThinDesc(s, mc, 'class descriptor', MESSAGE_DTO, null);
    const msg: JavaObject = { kind: 'object', handle: BASE_HANDLE + s.handles.length, desc: mdesc, values: {}, nodes: {}, start: at, end: at };
    s.handles.push(msg);
    top.values.msg = msg;
    top.nodes.msg = msgNode;
    msgNode.display = `MessageDto (handle ${handleHex(msg.handle)})`;
    if (!fastString(s, mc, 'action', msg) || !fastBytes(s, mc, msg) || !fastString(s, mc, 'groupId', msg)) return undefined;
    msg.end = s.pos;
    msgNode.length = s.pos - at;
  } else return undefined;
  if (!fastString(s, c, 'remoteKey', top) || s.pos !== n) return undefined;
  top.end = n;
  topNode.length = n - 9;
  return { nodes, notes: [], handles: s.handles, end: n, failed: false, version: 5, content: top };
}

function decodeBinary(pdu: Uint8Array, direction: Direction, opts: DecodeOptions): DecodedFrame {
  const tree: FieldNode[] = [];
  const notes: Note[] = [];
  const doc: Doc = {};
  if (pdu.length < 8) {
    if (pdu.length >= 4) tree.push(lengthNode(`${PREFIX}.length`, 'length (L1)', 0, peekInt(pdu, 0, 'u4be')));
    notes.push({ severity: 'error', message: `truncated: the two length prefixes need 8 bytes, ${pdu.length} present` });
    return finish(pdu, direction, UNKNOWN, {}, doc, tree, notes, undefined, true);
  }
  const l1 = peekInt(pdu, 0, 'u4be');
  const l2 = peekInt(pdu, 4, 'u4be');
  const lenNode = lengthNode(`${PREFIX}.length`, 'length (L1)', 0, l1);
  const innerNode = lengthNode(`${PREFIX}.inner_length`, 'inner length (L2)', 4, l2);
  tree.push(lenNode, innerNode);
  if (l1 !== l2 + 4) {
    const message = `length ${l1} ≠ inner_length ${l2} + 4: the PDU is cut by length`;
    lenNode.notes = [{ severity: 'warn', message }];
    notes.push({ severity: 'warn', message });
  }
  // Cut by L1 (§4.1); bytes after it are trailing.
  const end = l1 >= 4 ? Math.min(pdu.length, 4 + l1) : pdu.length;
  const fast = end === pdu.length ? fastStream(pdu) : undefined;
  const res = fast ?? decodeJavaStream(pdu, { prefix: PREFIX, classes: TXLCN_CLASSES, start: 8, end, label: 'NettyRpcCmd' });
  notes.push(...res.notes);
  const last = res.nodes[res.nodes.length - 1];
  const groupEnd = Math.max(res.end, last ? last.start + last.length : 8);
  tree.push({ label: 'serialized object (Netty compact Java serialization)', start: 8, length: groupEnd - 8, children: res.nodes });

  const ex = extract(res.content);
  let failed = res.failed;
  if (ex.problem) { notes.push({ severity: 'error', message: ex.problem }); failed = true; }
  const cmd = ex.cmd;
  const name = messageName(cmd);
  if (res.version !== undefined) doc.stream_version = res.version;
  if (cmd.key !== undefined) doc.key = cmd.key;
  if (cmd.msg) {
    if (cmd.msg.action !== undefined) doc.action = cmd.msg.action;
    if (cmd.msg.bytes !== undefined) {
      let params: PayloadResult['params'];
      const arr = deref(ex.msgObject?.values.bytes);
      // A complete array is decoded even when the stream breaks off later (a truncated PDU still shows its payload).
      if (cmd.msg.bytes && cmd.msg.bytes.length > 0 && arr && typeof arr === 'object' && arr.kind === 'array') {
        const bytesNode = ex.msgObject!.nodes.bytes;
        const payload = decodePayload(pdu, arr.dataStart, arr.dataStart + arr.length, name, opts.context, notes);
        // A payload read through a reference has no bytes of its own to point at: its subtree is left out.
        if (payload.node && bytesNode?.children && ex.refs.bytes === undefined) bytesNode.children.push(payload.node);
        params = payload.params;
      }
      if (params) doc.params = params;
      else doc.bytes = cmd.msg.bytes === null ? null : toHex(cmd.msg.bytes);
    }
    if (cmd.msg.groupId !== undefined) doc.groupId = cmd.msg.groupId;
  }
  if (cmd.remoteKey !== undefined) doc.remoteKey = cmd.remoteKey;
  if (Object.keys(ex.refs).length > 0) doc.refs = ex.refs;

  if (!failed) {
    if (pdu.length < 4 + l1) notes.push({ severity: 'error', message: `truncated: length announces ${4 + l1} bytes, the PDU has ${pdu.length}` });
    const streamLen = res.end - 8;
    if (l2 !== streamLen) doc.inner_length = l2;
    if (l1 !== streamLen + 4) doc.length = l1;
    // A valid stream our writer would not produce byte for byte (a fat descriptor, a long string under 64 KiB…)
    // is kept verbatim so that re-encoding still gives the captured bytes.
    // The canonical layout re-encodes to itself, except that a rok's params may be re-encoded with another table
    // (encodeTable chooses by their members): those still take the full check.
    let canonical = fast !== undefined && (doc.params === undefined || name !== 'rok');
    if (!canonical) try { canonical = streamMatches(normalize(name, doc, false, opts.context), pdu, 8, res.end); } catch { canonical = false; }
    if (!canonical) {
      doc.stream = toHex(pdu, 8, res.end);
      notes.push({ severity: 'info', message: 'non-canonical serialization: the stream is kept verbatim in `stream` for re-encoding' });
    }
    tree.push(jsonRenderingNode(8, res.end - 8, renderJson(cmd)));
  }
  return finish(pdu, direction, name, cmd, doc, tree, notes, failed ? undefined : res.end, failed);
}

/** `txlcn.json` (gen): covers the bytes it renders; a very long rendering is clipped in the display only. */
function jsonRenderingNode(start: number, length: number, rendered: string): FieldNode {
  const node: FieldNode = { abbrev: `${PREFIX}.json`, label: 'JSON rendering (document form)', start, length, value: rendered, generated: true };
  if (rendered.length > 512) node.display = `${rendered.slice(0, 509)}… (${rendered.length} chars)`;
  return node;
}

function finish(pdu: Uint8Array, direction: Direction, name: string, cmd: Cmd, doc: Doc, tree: FieldNode[], notes: Note[], consumed: number | undefined, failed: boolean): DecodedFrame {
  return assembleFrame({
    protocol: PREFIX, protocolLabel: LABEL, pdu, direction, message: name, summary: summarize(name, cmd),
    value: doc, tree, notes, consumed, failed,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON compatibility mode (§4.8)

type Framing = 'length' | 'newline' | 'crlf';

/** What the first phase of a JSON-mode decode reads: the framing, the parsed object and the values it holds. */
interface JsonModeRead {
  tree: FieldNode[];
  notes: Note[];
  doc: Doc;
  framing: Framing;
  start: number;
  end: number;
  consumed: number;
  failed: boolean;
  cmd: Cmd;
  jsonNode: FieldNode;
  root?: JsonNode;
}

/** What reading the members of the JSON form collects (module functions rather than closures made per PDU). */
interface MemberReading {
  pdu: Uint8Array;
  problems: string[];
  ignored: string[];
}

/** One node per member; `put` handles the known names, the others are noted as ignored. */
function readJsonMembers(r: MemberReading, node: JsonNode & { kind: 'object' }, names: readonly string[], into: FieldNode[], put: (name: string, v: JsonNode, n: FieldNode) => void): void {
  for (const m of node.members) {
    const n: FieldNode = { label: m.key, start: m.keyStart, length: m.value.end - m.keyStart };
    into.push(n);
    if (!names.includes(m.key)) {
      n.label = `unknown member "${m.key}"`;
      n.display = fromUtf8(r.pdu, m.value.start, m.value.end);
      r.ignored.push(`unknown member "${m.key}" ignored`);
      continue;
    }
    put(m.key, m.value, n);
  }
}

/** A member that must be a string or null. */
function jsonStringMember(r: MemberReading, name: string, v: JsonNode, n: FieldNode): string | null | undefined {
  if (v.kind === 'null') { n.display = 'null'; return null; }
  if (v.kind !== 'string') { r.problems.push(`${name} is not a string`); n.display = fromUtf8(r.pdu, v.start, v.end); return undefined; }
  n.abbrev = `${PREFIX}.${name}`;
  n.value = v.value;
  return v.value;
}

/** Framing, JSON syntax and member types (everything `peek` needs); decodeJsonMode goes on from here. */
function readJsonMode(pdu: Uint8Array, lengthPrefixed: boolean, forPeek = false): JsonModeRead {
  const tree: FieldNode[] = [];
  const notes: Note[] = [{ severity: 'info', message: 'JSON mode (document form)' }];
  let framing: Framing = lengthPrefixed ? 'length' : 'newline';
  const doc: Doc = { framing };
  let start = 0;
  let end = pdu.length;
  let consumed = pdu.length;
  let failed = false;
  if (lengthPrefixed) {
    const l = peekInt(pdu, 0, 'u4be');
    tree.push(lengthNode(`${PREFIX}.length`, 'length', 0, l));
    start = 4;
    end = 4 + l;
    if (end > pdu.length) {
      notes.push({ severity: 'error', message: `truncated: length announces ${l} bytes of JSON, ${pdu.length - 4} present` });
      end = pdu.length;
      failed = true;
    }
    consumed = end;
  } else {
    const nl = pdu.indexOf(0x0a);
    if (nl < 0) {
      notes.push({ severity: 'error', message: 'truncated: no newline ends the JSON line' });
      failed = true;
    } else {
      end = nl > 0 && pdu[nl - 1] === 0x0d ? nl - 1 : nl;
      if (end !== nl) framing = 'crlf';
      doc.framing = framing;
      consumed = nl + 1;
    }
  }
  const cmd: Cmd = {};
  const jsonNode: FieldNode = { label: 'JSON object (document form)', start, length: end - start, children: [] };
  tree.push(jsonNode);
  let root: JsonNode | undefined;
  if (!failed) {
    try {
      root = parseJsonBytes(pdu, start, end);
      if (root.kind !== 'object') throw new JsonSyntaxError('the JSON is not an object', root.start);
    } catch (e) {
      notes.push({ severity: 'error', message: `JSON: ${(e as Error).message}` });
      failed = true;
      root = undefined;
    }
  }
  if (!root || root.kind !== 'object') {
    jsonNode.display = asciiPreview(pdu, start, end);
  } else {
    jsonNode.display = `{${root.members.length} member${root.members.length === 1 ? '' : 's'}}`;
    const problems: string[] = [];
    const ignored: string[] = [];
    const r: MemberReading = { pdu, problems, ignored };
    readJsonMembers(r, root, ['key', 'msg', 'remoteKey'], jsonNode.children!, (name, v, n) => {
      if (name === 'key') cmd.key = jsonStringMember(r, name, v, n);
      else if (name === 'remoteKey') cmd.remoteKey = jsonStringMember(r, name, v, n);
      else if (v.kind === 'null') { cmd.msg = null; n.display = 'null'; }
      else if (v.kind !== 'object') { problems.push('msg is not an object'); }
      else {
        const msg: MsgValues = { action: null, bytes: null, groupId: null };
        cmd.msg = msg;
        n.display = 'MessageDto';
        n.children = [];
        readJsonMembers(r, v, ['action', 'bytes', 'groupId'], n.children, (inner, iv, inode) => {
          if (inner !== 'bytes') { msg[inner as 'action' | 'groupId'] = jsonStringMember(r, inner, iv, inode); return; }
          if (iv.kind === 'null') { inode.display = 'null'; return; }
          if (iv.kind !== 'string') { problems.push('bytes is not a Base64 string'); return; }
          let data: Uint8Array;
          try { data = fromBase64(iv.value, `${PREFIX}.bytes`); } catch { problems.push('bytes is not valid Base64'); inode.display = JSON.stringify(iv.value); return; }
          msg.bytes = data;
          if (forPeek) return; // the payload's hex and preview are for the tree only
          inode.abbrev = `${PREFIX}.bytes`;
          inode.value = toHex(data);
          inode.display = `${data.length} byte${data.length === 1 ? '' : 's'} from Base64: ${asciiPreview(data)}`;
          inode.children = [];
        });
      }
    });
    // Absent members are null (§4.4).
    cmd.key ??= null;
    cmd.remoteKey ??= null;
    if (cmd.msg === undefined) cmd.msg = null;
    for (const w of ignored) notes.push({ severity: 'warn', message: `JSON: ${w}` });
    for (const p of problems) notes.push({ severity: 'error', message: `JSON: ${p}` });
    if (problems.length) failed = true;
  }
  return { tree, notes, doc, framing, start, end, consumed, failed, cmd, jsonNode, root };
}

function decodeJsonMode(pdu: Uint8Array, direction: Direction, opts: DecodeOptions, lengthPrefixed: boolean): DecodedFrame {
  const { tree, notes, doc, framing, start, end, consumed, failed, cmd, jsonNode, root } = readJsonMode(pdu, lengthPrefixed);
  const name = root ? messageName(cmd) : UNKNOWN;
  if (root && !failed) {
    doc.key = cmd.key ?? null;
    if (cmd.msg) {
      doc.action = cmd.msg.action ?? null;
      const data = cmd.msg.bytes ?? null;
      let params: PayloadResult['params'];
      if (data && data.length > 0) {
        const payload = decodePayload(data, 0, data.length, name, opts.context, notes);
        const bytesNode = findNode(jsonNode, `${PREFIX}.bytes`);
        if (payload.node && bytesNode) {
          // The payload's bytes exist only after Base64 decoding: its nodes point at the Base64 text.
          retarget(payload.node, bytesNode.start, bytesNode.length);
          bytesNode.children!.push(payload.node);
        }
        params = payload.params;
      }
      if (params) doc.params = params;
      else doc.bytes = data === null ? null : toHex(data);
      doc.groupId = cmd.msg.groupId ?? null;
    }
    doc.remoteKey = cmd.remoteKey ?? null;
    const rendered = renderJson(cmd);
    const text = fromUtf8(pdu, start, end);
    if (rendered !== text) {
      doc.text = text;
      notes.push({ severity: 'info', message: 'the JSON is not in the compact form the encoder writes: kept verbatim in `text`' });
    }
    tree.push(jsonRenderingNode(start, end - start, rendered));
  }
  if (!lengthPrefixed && consumed > end) tree.push({ label: 'line end', start: end, length: consumed - end, display: framing === 'crlf' ? '\\r\\n' : '\\n' });
  return finish(pdu, direction, name, cmd, doc, tree, notes, failed ? undefined : consumed, failed);
}

function findNode(node: FieldNode, abbrev: string): FieldNode | undefined {
  if (node.abbrev === abbrev) return node;
  for (const c of node.children ?? []) {
    const hit = findNode(c, abbrev);
    if (hit) return hit;
  }
  return undefined;
}

function retarget(node: FieldNode, start: number, length: number): void {
  node.start = start;
  node.length = length;
  node.generated = true;
  for (const c of node.children ?? []) retarget(c, start, length);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding (§4.6)

interface Normalized {
  version: number;
  key: string | null;
  msg: { action: string | null; bytes: Uint8Array | null; groupId: string | null } | null;
  remoteKey: string | null;
  refs: Record<string, number>;
  stream?: Uint8Array;
  text?: string;
  length?: number;
  innerLength?: number;
  framing: Framing;
}

const BINARY_KEYS = ['stream_version', 'key', 'action', 'bytes', 'params', 'groupId', 'remoteKey', 'refs', 'stream', 'length', 'inner_length', 'msg'];
const JSON_KEYS = [...BINARY_KEYS, 'framing', 'text'];
const REF_FIELDS = ['key', 'action', 'bytes', 'groupId', 'remoteKey'];

function nullableString(v: unknown, name: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new EncodeError(`${PREFIX}.${name}: expected a string or null, got ${JSON.stringify(v)}`);
  return v;
}

function hexOf(v: unknown, name: string): Uint8Array {
  if (typeof v !== 'string') throw new EncodeError(`${PREFIX}.${name}: expected hex, got ${JSON.stringify(v)}`);
  try { return fromHex(v); } catch (e) { throw new EncodeError(`${PREFIX}.${name}: ${(e as HexError).message}`); }
}

function u32Of(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new EncodeError(`${PREFIX}.${name}: expected a u32, got ${JSON.stringify(v)}`);
  return n;
}

/** The document (flat, or the document's own JSON shape with `msg`) checked and reduced to wire values. */
function normalize(message: string, value: Doc, jsonMode: boolean, context: Record<string, unknown> | undefined): Normalized {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EncodeError(`${PREFIX}: the message document must be an object`);
  const allowed = jsonMode ? JSON_KEYS : BINARY_KEYS;
  for (const k of Object.keys(value)) if (!allowed.includes(k)) throw new EncodeError(`${PREFIX}.${k}: not a member of a txlcn message${k === 'framing' || k === 'text' ? ' outside JSON mode' : ''}`);
  const known = BY_ACTION.has(message);
  if (!known && message !== UNKNOWN && message !== NULL_MSG) throw new EncodeError(`${PREFIX}: unknown message ${JSON.stringify(message)}`);

  let flat: Doc = value;
  if (value.msg !== undefined) {
    // §4.4: the composer may give the document's JSON: absent members are null, bytes are Base64.
    const m = value.msg;
    if (m !== null && (typeof m !== 'object' || Array.isArray(m))) throw new EncodeError(`${PREFIX}.msg: expected an object or null`);
    for (const k of ['action', 'bytes', 'params', 'groupId']) if (value[k] !== undefined) throw new EncodeError(`${PREFIX}.${k}: give it inside msg, or use the flat form without msg`);
    const md = (m ?? {}) as Doc;
    for (const k of Object.keys(md)) if (!['action', 'bytes', 'groupId'].includes(k)) throw new EncodeError(`${PREFIX}.msg.${k}: not a member of msg`);
    let bytes: string | null = null;
    if (md.bytes !== undefined && md.bytes !== null) {
      if (typeof md.bytes !== 'string') throw new EncodeError(`${PREFIX}.msg.bytes: expected Base64 text`);
      bytes = toHex(fromBase64(md.bytes, `${PREFIX}.msg.bytes`));
    }
    flat = { ...value, msg: undefined };
    if (m === null) { if (message !== NULL_MSG) throw new EncodeError(`${PREFIX}.msg: null, but the message is ${message}`); } else {
      flat.action = md.action ?? null;
      flat.bytes = bytes;
      flat.groupId = md.groupId ?? null;
    }
  }

  const version = flat.stream_version === undefined ? 5 : Number(flat.stream_version);
  if (!Number.isInteger(version) || version < 0 || version > 255) throw new EncodeError(`${PREFIX}.stream_version: expected a u8`);
  const key = nullableString(flat.key, 'key');
  const remoteKey = nullableString(flat.remoteKey, 'remoteKey');

  let msg: Normalized['msg'];
  if (message === NULL_MSG) {
    for (const k of ['action', 'bytes', 'params', 'groupId']) {
      if (flat[k] !== undefined && flat[k] !== null) throw new EncodeError(`${PREFIX}.${k}: a Null message has no msg`);
    }
    msg = null;
  } else {
    let action = nullableString(flat.action, 'action');
    if (known) {
      if (flat.action !== undefined && action !== message) throw new EncodeError(`${PREFIX}.action: ${JSON.stringify(action)} does not match the message ${message}`);
      action = message;
    } else if (action !== null && BY_ACTION.has(action)) {
      throw new EncodeError(`${PREFIX}.action: ${JSON.stringify(action)} is a known action; encode it as message ${action}`);
    }
    let bytes: Uint8Array | null = null;
    if (flat.params !== undefined && flat.params !== null) {
      if (flat.bytes !== undefined && flat.bytes !== null) throw new EncodeError(`${PREFIX}.params: give either params or bytes, not both`);
      const p = flat.params;
      if (typeof p !== 'object' || Array.isArray(p)) throw new EncodeError(`${PREFIX}.params: expected an object`);
      const params = p as { [key: string]: JsonValue };
      bytes = encodeMessage(params, encodeTable(action, params, context), PB_OPTIONS, `${PREFIX}.params`);
    } else if (flat.bytes !== undefined && flat.bytes !== null) {
      bytes = hexOf(flat.bytes, 'bytes');
    }
    msg = { action, bytes, groupId: nullableString(flat.groupId, 'groupId') };
  }

  const refs: Record<string, number> = {};
  if (flat.refs !== undefined) {
    if (typeof flat.refs !== 'object' || flat.refs === null || Array.isArray(flat.refs)) throw new EncodeError(`${PREFIX}.refs: expected an object of field → handle`);
    for (const [k, h] of Object.entries(flat.refs as Doc)) {
      if (!REF_FIELDS.includes(k)) throw new EncodeError(`${PREFIX}.refs.${k}: only ${REF_FIELDS.join(', ')} can be written as references`);
      refs[k] = u32Of(h, `refs.${k}`)!;
    }
  }
  const framingValue = flat.framing ?? 'newline';
  if (framingValue !== 'length' && framingValue !== 'newline' && framingValue !== 'crlf') throw new EncodeError(`${PREFIX}.framing: expected "length", "newline" or "crlf"`);
  const text = flat.text === undefined ? undefined : nullableString(flat.text, 'text') ?? undefined;
  return {
    version, key, msg, remoteKey, refs,
    stream: flat.stream === undefined ? undefined : hexOf(flat.stream, 'stream'),
    text,
    length: u32Of(flat.length, 'length'),
    innerLength: u32Of(flat.inner_length, 'inner_length'),
    framing: framingValue,
  };
}

/** A String field: a reference when `refs` names one (it must hold the same text), null, or a literal. */
function writeStringField(jw: JavaStreamWriter, n: Normalized, name: string, v: string | null): void {
  const handle = n.refs[name];
  if (handle !== undefined) {
    const info = jw.writeReference(handle, `${PREFIX}.refs.${name}`);
    if (info.kind !== 'string' || info.text !== v) {
      throw new EncodeError(`${PREFIX}.refs.${name}: handle ${handleHex(handle)} is ${info.kind === 'string' ? `the string ${JSON.stringify(info.text)}` : `a ${info.kind}`}, not ${JSON.stringify(v)}; drop the reference to write the value`);
    }
  } else if (v === null) jw.writeNull();
  else jw.writeString(v);
}

/** The serialized NettyRpcCmd (§4.2 layout), literal strings and the fat `[B` descriptor unless `refs` say otherwise. */
function encodeStream(n: Normalized): Uint8Array {
  const jw = new JavaStreamWriter();
  writeStream(jw, n);
  return jw.finish();
}

/** Whether encodeStream(n) gives exactly b[from..to): decode's canonical check, without building the bytes. */
function streamMatches(n: Normalized, b: Uint8Array, from: number, to: number): boolean {
  const w = new CompareWriter(b, from, to);
  writeStream(new JavaStreamWriter(w), n);
  return w.matches();
}

function writeStream(jw: JavaStreamWriter, n: Normalized): void {
  jw.streamHeader(n.version);
  jw.beginObject(NETTY_RPC_CMD_SPEC);
  writeStringField(jw, n, 'key', n.key);
  if (n.msg === null) jw.writeNull();
  else {
    jw.beginObject(MESSAGE_DTO_SPEC);
    writeStringField(jw, n, 'action', n.msg.action);
    const handle = n.refs.bytes;
    const bytes = n.msg.bytes;
    if (handle !== undefined) {
      const info = jw.writeReference(handle, `${PREFIX}.refs.bytes`);
      if (info.kind !== 'array' || !info.bytes || !bytes || !bytesEqual(info.bytes, bytes)) throw new EncodeError(`${PREFIX}.refs.bytes: handle ${handleHex(handle)} is not the same byte array`);
    } else if (bytes === null) jw.writeNull();
    else jw.writeByteArray(bytes);
    writeStringField(jw, n, 'groupId', n.msg.groupId);
  }
  writeStringField(jw, n, 'remoteKey', n.remoteKey);
}

function sameValues(a: Normalized, b: Normalized): boolean {
  const view = (n: Normalized): string => JSON.stringify([
    n.version, n.key, n.remoteKey, n.msg && [n.msg.action, n.msg.groupId, n.msg.bytes && toHex(n.msg.bytes)],
    Object.entries(n.refs).sort(),
  ]);
  return view(a) === view(b);
}

function encodeBinary(message: string, n: Normalized, context: Record<string, unknown> | undefined): Uint8Array {
  let stream = n.stream;
  if (stream) {
    // A verbatim stream must still say what the document says, or edits would be silently lost.
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, stream.length + 4);
    new DataView(head.buffer).setUint32(4, stream.length);
    const frame = decodeBinary(concatBytes([head, stream]), 'c2s', { context });
    const { stream: _s, length: _l, inner_length: _i, ...rest } = frame.value;
    let same = !frame.malformed && frame.message === message;
    if (same) {
      try { same = sameValues(normalize(message, rest, false, context), { ...n, stream: undefined }); } catch { same = false; }
    }
    if (!same) throw new EncodeError(`${PREFIX}.stream: the verbatim stream does not hold the document's values; remove stream to encode the values`);
  } else {
    stream = encodeStream(n);
  }
  const w = new DataView(new ArrayBuffer(8));
  w.setUint32(0, n.length ?? stream.length + 4);
  w.setUint32(4, n.innerLength ?? stream.length);
  return concatBytes([new Uint8Array(w.buffer), stream]);
}

function encodeJson(message: string, n: Normalized, context: Record<string, unknown> | undefined): Uint8Array {
  const cmd: Cmd = { key: n.key, msg: n.msg, remoteKey: n.remoteKey };
  let text = n.text;
  if (text !== undefined) {
    const data = utf8(text);
    const head = new DataView(new ArrayBuffer(4));
    head.setUint32(0, data.length);
    const probe = decodeJsonMode(concatBytes([new Uint8Array(head.buffer), data]), 'c2s', { context }, true);
    let same = !probe.malformed && probe.message === message;
    if (same) {
      const { text: _t, framing: _f, ...rest } = probe.value;
      try { same = sameValues(normalize(message, rest, true, context), { ...n, refs: {}, version: 5 }); } catch { same = false; }
    }
    if (!same) throw new EncodeError(`${PREFIX}.text: the verbatim JSON does not hold the document's values; remove text to encode the values`);
  } else {
    text = renderJson(cmd);
  }
  const data = utf8(text);
  if (n.framing === 'length') {
    const head = new DataView(new ArrayBuffer(4));
    head.setUint32(0, n.length ?? data.length);
    return concatBytes([new Uint8Array(head.buffer), data]);
  }
  if (data.includes(0x0a)) throw new EncodeError(`${PREFIX}.text: a newline-delimited JSON line cannot contain a newline; use framing "length"`);
  return concatBytes([data, n.framing === 'crlf' ? Uint8Array.of(0x0d, 0x0a) : Uint8Array.of(0x0a)]);
}

// ---------------------------------------------------------------------------------------------------------------
// Fast path (peek): the canonical layout read with direct byte access; anything else goes through decode.

/** A fixed byte sequence, also as big-endian 32-bit words: comparing four bytes at a time is ~3× faster here. */
interface Pattern {
  bytes: Uint8Array;
  words: Int32Array;
}

function pattern(list: number[]): Pattern {
  const bytes = Uint8Array.from(list);
  const words = new Int32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = (bytes[4 * i] << 24) | (bytes[4 * i + 1] << 16) | (bytes[4 * i + 2] << 8) | bytes[4 * i + 3];
  return { bytes, words };
}

const ascii = (s: string): number[] => Array.from(encodeModifiedUtf8(s));
const nameBytes = (s: string): number[] => [s.length >> 8, s.length & 0xff, ...ascii(s)];
const HEAD = pattern([0x05, 0x73, 0x72, 0x01, ...nameBytes(NETTY_RPC_CMD), 0x78, 0x72, 0x01, ...nameBytes(RPC_CMD), 0x78, 0x70]);
const MSG_HEAD = pattern([0x73, 0x72, 0x01, ...nameBytes(MESSAGE_DTO), 0x78, 0x70]);
const BYTES_HEAD = pattern([0x75, 0x72, 0x00, 0x00, 0x02, 0x5b, 0x42, 0xac, 0xf3, 0x17, 0xf8, 0x06, 0x08, 0x54, 0xe0, 0x02, 0x00, 0x00, 0x78, 0x70]);
/** `byte[]` with a thin descriptor: valid (decoded without a note that matters to peek), though Netty writes it fat. */
const THIN_BYTES_HEAD = pattern([0x75, 0x72, 0x01, 0x00, 0x02, 0x5b, 0x42, 0x78, 0x70]);

function startsWith(p: Uint8Array, at: number, head: Pattern): boolean {
  const n = head.bytes.length;
  if (at + n > p.length) return false;
  const words = head.words;
  for (let i = 0, j = at; i < words.length; i++, j += 4) if (((p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3]) !== words[i]) return false;
  for (let k = words.length << 2; k < n; k++) if (p[at + k] !== head.bytes[k]) return false;
  return true;
}

/** Scratch state of the fast scan (single-threaded, reused: the hot path allocates only the values it returns). */
const scan = { p: new Uint8Array(0) as Uint8Array, pos: 0, next: 0, bad: false, strings: [] as (string | undefined)[] };

/**
 * A String field in the forms decode accepts without an error: `70`, `74` literal, `7c` long literal (valid, though
 * Java writes it only above 65535 bytes), or `71` to an earlier literal.
 */
function scanString(skip = false): string | null {
  const { p } = scan;
  const pos = scan.pos;
  const c = p[pos];
  if (c === 0x70) { scan.pos = pos + 1; return null; }
  let start = -1;
  let end = 0;
  if (c === 0x74 && pos + 3 <= p.length) {
    start = pos + 3;
    end = start + ((p[pos + 1] << 8) | p[pos + 2]);
  } else if (c === 0x7c && pos + 9 <= p.length && peekInt(p, pos + 1, 'u4be') === 0) {
    start = pos + 9;
    end = start + peekInt(p, pos + 5, 'u4be');
  }
  if (start >= 0) {
    if (end <= p.length) {
      // A skipped string (remoteKey, which nothing can refer back to) is checked but not decoded.
      const text = skip ? '' : asciiText(p, start, end) ?? decodeModifiedUtf8(p, start, end).text;
      scan.strings[scan.next++] = text;
      scan.pos = end;
      return text;
    }
  }
  if (c === 0x71 && pos + 5 <= p.length) {
    const h = peekInt(p, pos + 1, 'u4be') - BASE_HANDLE;
    const text = h >= 0 && h < scan.next ? scan.strings[h] : undefined;
    if (text !== undefined) { scan.pos = pos + 5; return text; }
  }
  scan.bad = true;
  return null;
}

/** Modified UTF-8 that is plain ASCII (no NUL, which it writes as c0 80) is its own text: no result object. */
function asciiText(p: Uint8Array, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) { const b = p[i]; if (b === 0 || b >= 0x80) return undefined; }
  return latin1Text(p, start, end);
}

/** Handles that are no String (descriptors, objects, arrays): cleared rather than truncating the reused list. */
function skipHandles(k: number): void {
  for (let i = 0; i < k; i++) scan.strings[scan.next++] = undefined;
}

/** The values of a PDU in the exact layout real peers write (§4.2), or undefined for anything else. */
function fastScan(p: Uint8Array, withRemoteKey: boolean): Cmd | undefined {
  const n = p.length;
  // L2 is not checked: decode only warns when it disagrees (the PDU is cut by L1).
  if (n < 8 + HEAD.bytes.length || peekInt(p, 0, 'u4be') !== n - 4 || !startsWith(p, 8, HEAD)) return undefined;
  scan.p = p;
  scan.pos = 8 + HEAD.bytes.length;
  // Handles 0x7e0000–2 are the two descriptors and the object; strings[i] is the text of handle 0x7e0000 + i.
  scan.next = 0;
  scan.bad = false;
  skipHandles(3);
  const key = scanString();
  let msg: MsgValues | null;
  if (p[scan.pos] === 0x70) { scan.pos++; msg = null; } else if (startsWith(p, scan.pos, MSG_HEAD)) {
    scan.pos += MSG_HEAD.bytes.length;
    skipHandles(2);
    const action = scanString();
    let pos = scan.pos;
    const head = startsWith(p, pos, BYTES_HEAD) ? BYTES_HEAD : startsWith(p, pos, THIN_BYTES_HEAD) ? THIN_BYTES_HEAD : undefined;
    if (p[pos] === 0x70) pos++;
    else if (head && pos + head.bytes.length + 4 <= n) {
      pos += head.bytes.length;
      skipHandles(2);
      const count = peekInt(p, pos, 'u4be');
      pos += 4;
      if (count > n - pos) return undefined;
      pos += count;
    } else return undefined;
    scan.pos = pos;
    msg = { action, groupId: scanString() };
  } else return undefined;
  // The summary shows remoteKey only when there is neither key nor groupId (summarize).
  const skip = !withRemoteKey && (key !== null || typeof msg?.groupId === 'string');
  const remoteKey = scanString(skip);
  if (scan.bad || scan.pos !== n) return undefined;
  return skip ? { key, msg } : { key, msg, remoteKey };
}

// ---------------------------------------------------------------------------------------------------------------
// Framing and detection (§4.1, §4.7, §4.8)

const STRICT_HEAD = [0x05, 0x73, 0x72, 0x01];
const LOOSE_HEAD = [0x05, 0x73];

/** Header checks on the bytes present; `strict` (resynchronisation) also wants L1 = L2 + 4 and the thin descriptor. */
function plausibleHead(buf: Uint8Array, off: number, avail: number, max: number, strict: boolean): boolean {
  if (avail <= 0) return false;
  // The smallest L1 the bytes present allow (missing bytes as 0) must fit maxPdu.
  let min = 0;
  for (let i = 0; i < 4; i++) min = min * 256 + (i < avail ? buf[off + i] : 0);
  if (4 + min > max) return false;
  if (avail < 4) return true;
  const l1 = min;
  if (avail >= 5 && buf[off + 4] === 0x7b) return l1 >= 2;
  if (l1 < 6) return false;
  if (strict && avail >= 8 && peekInt(buf, off + 4, 'u4be') !== l1 - 4) return false;
  const expected = strict ? STRICT_HEAD : LOOSE_HEAD;
  for (let i = 0; i < expected.length && 8 + i < avail; i++) if (buf[off + 8 + i] !== expected[i]) return false;
  return true;
}

function txlcnFramer(opts: FramerOptions = {}): Framer {
  const max = opts.maxPdu ?? DEFAULT_MAX_PDU;
  const lines = opts.variant === 'json';
  const newline = Uint8Array.of(0x0a);
  return {
    frame(buf, off, end) {
      const avail = end - off;
      if (lines && avail > 0 && buf[off] === 0x7b) {
        const at = indexOf(buf, newline, off, Math.min(end, off + max));
        if (at < 0) return avail >= max ? INVALID : NEED_MORE;
        return at - off + 1;
      }
      if (!plausibleHead(buf, off, avail, max, false)) return INVALID;
      if (avail < 5) return NEED_MORE;
      const total = 4 + peekInt(buf, off, 'u4be');
      return avail < total ? NEED_MORE : total;
    },
    plausible(buf, off, end) {
      if (lines && buf[off] === 0x7b) return true;
      return plausibleHead(buf, off, end - off, max, true);
    },
  };
}

const CLASS_PREFIX = ascii('com.codingapi.tx.');

function detect(first: Uint8Array): boolean {
  if (first.length < 12) return false;
  const l1 = peekInt(first, 0, 'u4be');
  if (l1 < 6 || peekInt(first, 4, 'u4be') !== l1 - 4) return false;
  if (first[8] !== 0x05 || first[9] !== 0x73 || first[10] !== 0x72 || first[11] !== 0x01) return false;
  // The class name after its u16 length: as much of `com.codingapi.tx.` as the bytes present show.
  for (let i = 0; i < CLASS_PREFIX.length && 14 + i < first.length; i++) if (first[14 + i] !== CLASS_PREFIX[i]) return false;
  return true;
}

function isJsonPdu(pdu: Uint8Array): 'length' | 'line' | undefined {
  if (pdu.length > 0 && pdu[0] === 0x7b) return 'line';
  if (pdu.length > 4 && pdu[4] === 0x7b) return 'length';
  return undefined;
}

function decode(pdu: Uint8Array, direction: Direction, opts: DecodeOptions = {}): DecodedFrame {
  const json = isJsonPdu(pdu);
  if (json) return decodeJsonMode(pdu, direction, opts, json === 'length');
  return decodeBinary(pdu, direction, opts);
}

function scanOrDecode(pdu: Uint8Array, direction: Direction, opts: DecodeOptions | undefined, withRemoteKey: boolean): { name: string; cmd: Cmd; malformed: boolean; summary?: string } {
  const json = isJsonPdu(pdu);
  if (json) return jsonGlance(pdu, json === 'length');
  const cmd = fastScan(pdu, withRemoteKey);
  scan.p = HEAD.bytes; // do not keep the caller's buffer alive
  if (cmd) return { name: messageName(cmd), cmd, malformed: false };
  const frame = decode(pdu, direction, opts);
  const name = frame.message;
  // decode() builds its summary from the same values; reuse it so the two never drift.
  const c = summaryCmd(frame);
  return { name, cmd: c, malformed: frame.malformed, summary: frame.summary };
}

/**
 * JSON mode without the payload, the rendering or the tree's second half: the first phase of decodeJsonMode gives
 * the name, the summary and the malformed flag (only its error notes fail it). Pairing reads the values decode
 * would put in the document, which it fills only when the JSON was read without problems (as summaryCmd sees it).
 */
function jsonGlance(pdu: Uint8Array, lengthPrefixed: boolean): { name: string; cmd: Cmd; malformed: boolean; summary: string } {
  const m = readJsonMode(pdu, lengthPrefixed, true);
  const name = m.root ? messageName(m.cmd) : UNKNOWN;
  const cmd: Cmd = m.root && !m.failed ? m.cmd : { key: undefined, remoteKey: undefined, msg: name === NULL_MSG ? null : { action: undefined, groupId: undefined } };
  return { name, cmd, malformed: m.failed, summary: summarize(name, m.cmd) };
}

/** Pairing values of a decoded frame (its document, whichever mode). */
function summaryCmd(frame: DecodedFrame): Cmd {
  const v = frame.value;
  const s = (x: unknown): string | null | undefined => (typeof x === 'string' || x === null ? x : undefined);
  return {
    key: s(v.key),
    remoteKey: s(v.remoteKey),
    msg: frame.message === NULL_MSG ? null : { action: s(v.action), groupId: s(v.groupId) },
  };
}

function guessDirection(pdu: Uint8Array): Direction {
  const { name, cmd } = scanOrDecode(pdu, 'c2s', undefined, true);
  const def = BY_ACTION.get(name);
  if (def && def.direction !== 'both') return def.direction;
  if (name === 'h') return 's2c';
  // rok/rex and the rest: remoteKey is the sender's view of its peer, so ":8070" means the client sent it;
  // TxManager copies groupId into its replies, TxClient leaves it null.
  if (typeof cmd.remoteKey === 'string') return /:8070$/.test(cmd.remoteKey) ? 'c2s' : 's2c';
  return typeof cmd.msg?.groupId === 'string' ? 's2c' : 'c2s';
}

function peek(pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): Peek {
  const r = scanOrDecode(pdu, direction, opts, false);
  const peeked: Peek = { message: r.name, summary: r.summary ?? summarize(r.name, r.cmd), pair: pairingOf(r.name, r.cmd, direction) };
  if (r.malformed) peeked.malformed = true;
  return peeked;
}

function encode(message: string, _direction: Direction, value: Doc, opts: EncodeOptions = {}): Uint8Array {
  const jsonMode = opts.variant === 'json' || (value !== null && typeof value === 'object' && value.framing !== undefined);
  const n = normalize(message, value, jsonMode, opts.context);
  return jsonMode ? encodeJson(message, n, opts.context) : encodeBinary(message, n, opts.context);
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog, schemas, message list

const ACTION_NAMES: Record<string, string> = {
  cg: 'create group', atg: 'join group', clg: 'notify group', nt: 'notify unit', ats: 'ask transaction state',
  h: 'heartbeat', nc: 'connect to another TxManager', wc: 'write compensation', gal: 'get aspect log', ic: 'init client',
  rok: 'OK response', rex: 'error response',
};

const PB_FIELD_TYPE: Record<string, CatalogEntry['type']> = { string: 'string', int32: 'i32', short: 'i16', int64: 'i64' };

function paramsCatalog(): CatalogEntry[] {
  const out = new Map<string, CatalogEntry>();
  for (const t of ALL_TABLES) {
    for (const f of t.fields) {
      const abbrev = `${PREFIX}.params.${f.name}`;
      const seen = out.get(abbrev);
      if (seen) { seen.description = `${seen.description}; ${t.name}`; continue; }
      out.set(abbrev, { abbrev, type: PB_FIELD_TYPE[f.type] ?? 'number', label: `payload ${f.name}`, description: `${f.description ?? f.name} — ${t.name}` });
    }
  }
  return [...out.values()];
}

const CATALOG: CatalogEntry[] = [
  { abbrev: `${PREFIX}.length`, type: 'u32', label: 'length (L1)', description: 'outer length: everything after itself (= inner_length + 4)' },
  { abbrev: `${PREFIX}.inner_length`, type: 'u32', label: 'inner length (L2)', description: 'size of the serialized object stream' },
  { abbrev: `${PREFIX}.stream_version`, type: 'u8', label: 'stream version', description: 'Netty compact stream header, 5' },
  { abbrev: `${PREFIX}.class_name`, type: 'string', label: 'class name', description: 'each class descriptor\'s name, in stream order' },
  { abbrev: `${PREFIX}.key_len`, type: 'u16', label: 'key length' },
  { abbrev: `${PREFIX}.key`, type: 'string', label: 'key', description: 'request key (null for one-way messages)' },
  { abbrev: `${PREFIX}.action_len`, type: 'u16', label: 'action length' },
  { abbrev: `${PREFIX}.action`, type: 'string', label: 'action', description: 'the message name', enum: ACTION_NAMES },
  { abbrev: `${PREFIX}.bytes_len`, type: 'u32', label: 'bytes length', description: 'array length' },
  { abbrev: `${PREFIX}.bytes`, type: 'bytes', label: 'bytes', description: 'protobuf payload' },
  { abbrev: `${PREFIX}.groupId_len`, type: 'u16', label: 'groupId length' },
  { abbrev: `${PREFIX}.groupId`, type: 'string', label: 'groupId', description: 'transaction group id' },
  { abbrev: `${PREFIX}.remoteKey_len`, type: 'u16', label: 'remoteKey length' },
  { abbrev: `${PREFIX}.remoteKey`, type: 'string', label: 'remoteKey', description: 'the sender\'s view of the peer address' },
  { abbrev: `${PREFIX}.json`, type: 'string', label: 'JSON rendering', description: 'the object as the document shows it (§4.4)', generated: true },
  ...paramsCatalog(),
];

const nullableStringSchema = (description: string): JsonSchema => ({ type: ['string', 'null'], description });
const HEX: JsonSchema = { type: ['string', 'null'], pattern: '^([0-9a-fA-F]{2})*$', description: 'payload as hex (or null); give either bytes or params' };

function paramsSchema(tables: readonly PbMessage[]): JsonSchema {
  const one = (t: PbMessage): JsonSchema => ({
    type: 'object', title: t.name, additionalProperties: false,
    properties: Object.fromEntries(t.fields.map((f) => [f.name, f.type === 'string'
      ? { type: 'string', description: f.description }
      : f.type === 'int64'
        ? { type: ['string', 'integer'], pattern: '^-?\\d+$', description: `${f.description ?? f.name} (64-bit, decimal string)` }
        : { type: 'integer', minimum: f.type === 'short' ? -32768 : -2147483648, maximum: f.type === 'short' ? 32767 : 2147483647, description: f.description }])),
  });
  return tables.length === 1 ? { ...one(tables[0]), description: `decoded payload (${tables[0].name}); encoded as protobuf` } : { oneOf: tables.map(one), description: 'decoded payload; encoded as protobuf' };
}

function schemaFor(name: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    // The encoder writes any u8 given (deliberately broken streams), but only 5 decodes without an error.
    stream_version: { const: 5, default: 5, description: 'Netty compact stream version: 5' },
    key: nullableStringSchema('request key; null for one-way messages (nc)'),
  };
  if (name !== NULL_MSG) {
    properties.action = name === UNKNOWN
      ? { type: ['string', 'null'], description: 'an action this spec does not know' }
      : { const: name, description: `${ACTION_NAMES[name]} — derived from the message name when absent` };
    properties.bytes = HEX;
    const tables = name in REQUEST_TABLES ? [REQUEST_TABLES[name]] : name === 'rok' ? Object.values(REPLY_TABLES) : [];
    if (tables.length) properties.params = paramsSchema(tables);
    properties.groupId = nullableStringSchema('transaction group id');
  }
  properties.remoteKey = nullableStringSchema('the sender\'s view of the peer address, e.g. "/127.0.0.1:8070"');
  properties.refs = { type: 'object', additionalProperties: { type: 'integer' }, description: 'fields written as TC_REFERENCE: field → handle (≥ 0x7e0000); kept from captures' };
  properties.stream = { type: 'string', pattern: '^([0-9a-fA-F]{2})*$', description: 'a non-canonical serialization kept verbatim (hex); must match the other members' };
  properties.length = { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'outer length L1 — computed when absent; set it to send a deliberately wrong value', [DERIVED]: true };
  properties.inner_length = { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'inner length L2 — computed when absent; set it to send a deliberately wrong value', [DERIVED]: true };
  properties.framing = { enum: ['length', 'newline', 'crlf'], description: 'JSON mode only (compatibility fallback): u32 length or a line' };
  properties.text = { type: 'string', description: 'JSON mode only: verbatim JSON text' };
  return { type: 'object', title: name, properties, additionalProperties: false };
}

function messageInfo(def: ActionDef): MessageInfo {
  return {
    name: def.action, direction: def.direction, description: def.description, ...(def.replies ? { replies: def.replies } : {}),
    schema: schemaFor(def.action), template: () => structuredClone(def.template),
  };
}

const MESSAGES: MessageInfo[] = [
  ...ACTIONS.map(messageInfo),
  {
    name: UNKNOWN, direction: 'both', description: 'A msg whose action this spec does not know (or is null)',
    schema: schemaFor(UNKNOWN), template: () => ({ stream_version: 5, key: KEY, action: 'xx', bytes: null, groupId: null, remoteKey: TO_MANAGER }),
  },
  {
    name: NULL_MSG, direction: 'both', description: 'A NettyRpcCmd whose msg is null',
    schema: schemaFor(NULL_MSG), template: () => ({ stream_version: 5, key: KEY, remoteKey: TO_MANAGER }),
  },
];

export const txlcnProtocol: Protocol = {
  id: PREFIX,
  name: LABEL,
  description: 'TX-LCN 5.0.0 TxClient ↔ TxManager: Java objects (Netty compact serialization) in two u32 length prefixes',
  ports: [TXLCN_PORT],
  messages: MESSAGES,
  catalog: CATALOG,
  variants: [{ id: 'json', label: 'JSON lines (document form, compatibility)' }],
  detect,
  guessDirection,
  framer: (_direction, opts) => txlcnFramer(opts),
  peek,
  decode,
  encode,
};

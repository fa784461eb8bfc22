/**
 * push — the Sohu push broker protocol (NSQ-derived), PROTOCOLS.md §5. Client → broker: the magic `"  V1"`, then
 * text command lines (IDENTIFY and PUB followed by a `[u32 size][body]`); broker → client: binary frames
 * `[u32 size][u32 frame_type][data]`. One declaration per message below gives decode, encode, catalog, JSON Schema
 * and templates; `peek` reads the same bytes directly for the packet list.
 */
import { fromUtf8 } from '../../codec/bytes';
import { assembleFrame } from '../../codec/frame';
import { peekInt } from '../../codec/framing';
import type { DecodedFrame, Direction, MessageInfo, PairingKey, Peek, Protocol } from '../../codec/protocol';
import {
  EncodeError, bytes, catalogOf, decodeElements, encodeElements, int, restBytes, schemaOf,
  type CatalogEntry, type Doc, type Element,
} from '../../codec/schema';
import {
  ackData, commandLine, errorData, frameEnd, frameSize, identifyBody, magic, messageIdHex, responseData, withDisplay,
} from './push-elements';
import { commandFramer, detectBroker, detectClient, frameFramer, guessDirection } from './push-framing';
import {
  ACK_TYPE_NAMES, FRAME_TYPE_IDS, FRAME_TYPE_NAMES, MAGIC_TEXT, MESSAGE_HEADER, idFromHexBytes, indexOfByte, isCommand,
  lineBounds, looksLikeMagic, summaryToken, summaryValue,
} from './push-wire';

const PREFIX = 'push';

// ---------------------------------------------------------------------------------------------------------------
// The declaration

const frameType = int('frame_type', 'u4be', { label: 'Frame type', enum: FRAME_TYPE_NAMES, description: 'frame type (value names = message names)' });
const frameHeader = (): Element[] => [frameSize(), frameType];

const timestamp = withDisplay(
  int('timestamp', 's8be', { label: 'Timestamp', description: 'nanoseconds since the epoch (decimal string)' }),
  (v) => {
    const ms = Number(BigInt(v as string) / 1_000_000n);
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : `${v as string} (${d.toISOString()})`;
  },
);

interface MessageDef {
  name: string;
  direction: Direction;
  description: string;
  replies: string[];
  elements: Element[];
  template(): Doc;
}

const WORKER_ROLE = '$_@push_sign_$_kz_worker';

const C2S: MessageDef[] = [
  {
    name: 'Magic', direction: 'c2s', replies: [],
    description: 'Protocol magic "  V1", once at the start of a client connection (a wrong one gets Error E_BAD_PROTOCOL)',
    elements: [magic()],
    template: () => ({ magic: MAGIC_TEXT }),
  },
  {
    name: 'H', direction: 'c2s', replies: ['Response'],
    description: 'Heartbeat; the broker answers a Response frame "H"',
    elements: [commandLine('H')],
    template: () => ({ command: 'H' }),
  },
  {
    name: 'NOP', direction: 'c2s', replies: [],
    description: 'No operation (not in the document); no reply',
    elements: [commandLine('NOP')],
    template: () => ({ command: 'NOP' }),
  },
  {
    name: 'IDENTIFY', direction: 'c2s', replies: ['Response', 'Error'],
    description: 'Client metadata and feature negotiation: [u32 size][JSON]; heartbeat_interval in milliseconds, client_id a JSON string',
    elements: [commandLine('IDENTIFY'), identifyBody()],
    template: () => ({
      command: 'IDENTIFY',
      identify: { client_id: '1030391111929', hostname: 'android-3f2a', heartbeat_interval: 30000, feature_negotiation: false, user_agent: 'push-android/1.0' },
    }),
  },
  {
    name: 'SUB', direction: 'c2s', replies: ['Response', 'Error'],
    description: 'Subscribe to a channel (needs heartbeats enabled)',
    elements: [commandLine('SUB')],
    template: () => ({ command: 'SUB', channel_id: '1030391111929' }),
  },
  {
    name: 'PUB', direction: 'c2s', replies: ['Ack', 'Error'],
    description: `Publish a message to one client (worker role ${WORKER_ROLE} only): [u32 size][body]; answered by an Ack frame`,
    elements: [commandLine('PUB'), bytes('body', 'u4be', { label: 'Message body' })],
    template: () => ({ command: 'PUB', client_id: '1030391111929', channel_id: '1030391111929', message_id: '300000000002', body: '68656c6c6f' }),
  },
  {
    name: 'CLS', direction: 'c2s', replies: ['Response', 'Error'],
    description: 'Close (after SUB); the broker answers CLOSE_WAIT',
    elements: [commandLine('CLS')],
    template: () => ({ command: 'CLS' }),
  },
];
const C2S_UNKNOWN: MessageDef = {
  name: 'Unknown', direction: 'c2s', replies: ['Error'],
  description: 'A command the broker does not implement (RDY, FIN, MPUB …): Error E_INVALID invalid command, connection closed',
  elements: [commandLine(undefined)],
  template: () => ({ command: 'RDY', line: 'RDY 1' }),
};

const S2C: MessageDef[] = [
  {
    name: 'Response', direction: 's2c', replies: [],
    description: 'OK, H (heartbeat reply), CLOSE_WAIT, or the IDENTIFY negotiation JSON',
    elements: [...frameHeader(), responseData(), frameEnd()],
    template: () => ({ frame_type: 0, response: 'OK' }),
  },
  {
    name: 'Error', direction: 's2c', replies: [],
    description: '"<CODE> <description>"; fatal errors close the connection',
    elements: [...frameHeader(), errorData(), frameEnd()],
    template: () => ({ frame_type: 1, error_code: 'E_INVALID', error_desc: 'cannot SUB in current state' }),
  },
  {
    name: 'Message', direction: 's2c', replies: [],
    description: 'A message pushed to a subscribed client: i64 timestamp (ns), u16 attempts, 16 hex id, body',
    elements: [...frameHeader(), timestamp, int('attempts', 'u2be', { label: 'Attempts', default: 0 }), messageIdHex(), restBytes('body', { label: 'Message body' }), frameEnd()],
    template: () => ({ frame_type: 2, timestamp: '1398218400000000000', attempts: 0, message_id: '300000000002', body: '68656c6c6f' }),
  },
  {
    name: 'Ack', direction: 's2c', replies: [],
    description: 'PUB acknowledgement "<ack_type> <client_id> <message_id>": 1 delivered, 2 offline, 3 write failed',
    elements: [...frameHeader(), ackData(), frameEnd()],
    template: () => ({ frame_type: 3, ack_type: 1, client_id: '1030391111929', message_id: '300000000002' }),
  },
];
const S2C_UNKNOWN: MessageDef = {
  name: 'Unknown', direction: 's2c', replies: [],
  description: 'A frame type other than 0 … 3: header decoded, data as raw bytes',
  elements: [...frameHeader(), restBytes('body', { label: 'Data' }), frameEnd()],
  template: () => ({ frame_type: 4, body: '' }),
};

const DEFS = new Map<string, MessageDef>();
for (const d of [...C2S, C2S_UNKNOWN, ...S2C, S2C_UNKNOWN]) DEFS.set(`${d.direction}:${d.name}`, d);

function buildMessages(): MessageInfo[] {
  const infos: MessageInfo[] = [...C2S, ...S2C].map((d) => ({
    name: d.name, direction: d.direction, description: d.description, replies: d.replies,
    schema: schemaOf(d.elements, d.name),
    template: d.template,
  }));
  // One `Unknown` for both directions: the template carries the fields of both forms.
  const schema = schemaOf([...C2S_UNKNOWN.elements, ...S2C_UNKNOWN.elements], 'Unknown');
  schema.required = [];
  schema.description = 'c2s: command (+ line); s2c: frame_type (not 0 … 3) + body';
  infos.push({
    name: 'Unknown', direction: 'both', replies: ['Error'],
    description: `${C2S_UNKNOWN.description}; or (s2c) ${S2C_UNKNOWN.description}`,
    schema,
    template: () => ({ ...C2S_UNKNOWN.template(), ...S2C_UNKNOWN.template() }),
  });
  return infos;
}

function buildCatalog(): CatalogEntry[] {
  const seen = new Set<string>();
  const out: CatalogEntry[] = [];
  for (const d of [...C2S, C2S_UNKNOWN, ...S2C, S2C_UNKNOWN]) {
    for (const e of catalogOf(d.elements, PREFIX)) {
      if (seen.has(e.abbrev)) continue;
      seen.add(e.abbrev);
      out.push(e);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Which message a PDU is (from the bytes only)

const BYTE_COMMANDS = ['H', 'NOP', 'SUB', 'PUB', 'CLS', 'IDENTIFY'].map((w) => ({ name: w, bytes: Uint8Array.from(w, (c) => c.charCodeAt(0)) }));

/** The command whose word is b[0..wordEnd), compared byte by byte (no string on the hot path), else Unknown. */
function commandOf(b: Uint8Array, wordEnd: number): string {
  outer: for (const c of BYTE_COMMANDS) {
    if (c.bytes.length !== wordEnd) continue;
    for (let i = 0; i < wordEnd; i++) if (b[i] !== c.bytes[i]) continue outer;
    return c.name;
  }
  return 'Unknown';
}

function c2sMessage(pdu: Uint8Array): string {
  if (looksLikeMagic(pdu)) return 'Magic';
  return commandOf(pdu, lineBounds(pdu, 0, pdu.length).wordEnd);
}

function s2cMessage(pdu: Uint8Array): string {
  if (pdu.length < 8) return 'Unknown';
  return FRAME_TYPE_NAMES[peekInt(pdu, 4, 'u4be')] ?? 'Unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// peek: message, summary and pairing straight from the bytes

const REQUEST: PairingKey = { role: 'request', fifo: 'cmd' };
const RESPONSE: PairingKey = { role: 'response', fifo: 'cmd' };
const NONE: PairingKey = { role: 'none' };

/** One regex per member the summary shows, compiled once (not per IDENTIFY). */
const MEMBER_PATTERNS = new Map<string, RegExp>();

function jsonMember(text: string, key: string): string | undefined {
  let re = MEMBER_PATTERNS.get(key);
  if (!re) {
    re = new RegExp(`"${key}"\\s*:\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([-\\w.+]+))`);
    MEMBER_PATTERNS.set(key, re);
  }
  const m = re.exec(text);
  return m ? (m[1] ?? m[2]) : undefined;
}

function nextSpace(b: Uint8Array, from: number, end: number): number {
  const at = indexOfByte(b, 0x20, from, end);
  return at < 0 ? end : at;
}

const PUB_PARAMS = ['client_id', 'channel_id', 'message_id'];

// The hot path reads byte ranges: no whole-line strings, no regexes on the usual PDUs.
function peekC2s(pdu: Uint8Array): Peek {
  const len = pdu.length;
  if (looksLikeMagic(pdu)) {
    const n = Math.min(4, len);
    let v = 0;
    while (v < n && pdu[v] === 0x20) v++;
    const ok = n === 4 && pdu[2] === 0x56 && pdu[3] === 0x31;
    // A bad magic is answered by Error E_BAD_PROTOCOL: it takes part in pairing.
    const p: Peek = { message: 'Magic', summary: `Magic magic_version=${summaryToken(pdu, v, n)}`, pair: ok ? NONE : REQUEST };
    if (n < 4) p.malformed = true;
    return p;
  }
  const { nl, textEnd, wordEnd } = lineBounds(pdu, 0, len);
  const message = commandOf(pdu, wordEnd);
  let summary = message;
  switch (message) {
    case 'SUB':
      if (wordEnd < textEnd) summary += ` channel_id=${summaryToken(pdu, wordEnd + 1, nextSpace(pdu, wordEnd + 1, textEnd))}`;
      break;
    case 'PUB': {
      let at = wordEnd;
      for (let i = 0; i < 3 && at < textEnd; i++) {
        const e = nextSpace(pdu, at + 1, textEnd);
        summary += ` ${PUB_PARAMS[i]}=${summaryToken(pdu, at + 1, e)}`;
        at = e;
      }
      if (nl >= 0 && len >= nl + 5) summary += ` body_len=${peekInt(pdu, nl + 1, 'u4be')}`;
      break;
    }
    case 'IDENTIFY': {
      if (nl < 0 || len < nl + 5) break;
      const size = peekInt(pdu, nl + 1, 'u4be');
      const text = fromUtf8(pdu, nl + 5, Math.min(len, nl + 5 + size));
      for (const key of ['client_id', 'role', 'heartbeat_interval']) {
        const v = jsonMember(text, key);
        if (v !== undefined) summary += ` ${key}=${summaryValue(v)}`;
      }
      break;
    }
    case 'Unknown':
      summary += ` line=${summaryToken(pdu, 0, textEnd)}`;
      break;
  }
  const p: Peek = { message, summary, pair: message === 'NOP' ? NONE : REQUEST };
  if (len === 0) p.malformed = true;
  return p;
}

function peekS2c(pdu: Uint8Array): Peek {
  const len = pdu.length;
  if (len < 8) return { message: 'Unknown', summary: `Unknown truncated frame (${len} bytes)`, pair: NONE, malformed: true };
  const size = peekInt(pdu, 0, 'u4be');
  const type = peekInt(pdu, 4, 'u4be');
  const dataEnd = size >= 4 ? Math.min(len, 4 + size) : len;
  switch (type) {
    case 0: {
      if (pdu[8] === 0x7b) {
        try {
          const o = JSON.parse(fromUtf8(pdu, 8, dataEnd)) as unknown;
          if (typeof o === 'object' && o !== null) {
            let summary = 'Response';
            for (const k of ['version', 'tls_v1', 'deflate', 'snappy']) if (k in o) summary += ` ${k}=${summaryValue(String((o as Record<string, unknown>)[k]))}`;
            return { message: 'Response', summary, pair: RESPONSE };
          }
        } catch { /* not JSON: summarised as text */ }
      }
      return { message: 'Response', summary: `Response response=${summaryToken(pdu, 8, dataEnd)}`, pair: RESPONSE };
    }
    case 1: {
      const sp = indexOfByte(pdu, 0x20, 8, dataEnd);
      let summary = `Error error_code=${summaryToken(pdu, 8, sp < 0 ? dataEnd : sp)}`;
      if (sp >= 0) summary += ` error_desc=${summaryToken(pdu, sp + 1, dataEnd)}`;
      return { message: 'Error', summary, pair: RESPONSE };
    }
    case 2: {
      let summary = 'Message';
      if (dataEnd >= 8 + MESSAGE_HEADER) {
        summary += ` message_id=${idFromHexBytes(pdu, 18) ?? summaryToken(pdu, 18, 34)} body_len=${dataEnd - 8 - MESSAGE_HEADER}`;
      }
      return { message: 'Message', summary, pair: NONE };
    }
    case 3: {
      // Up to four space-separated tokens, found in one pass (no arrays: this is the row of every PUB).
      let n = 0;
      let s1 = -1, s2 = -1, s3 = -1;
      for (let i = 8; i < dataEnd; i++) {
        if (pdu[i] !== 0x20) continue;
        n++;
        if (n === 1) s1 = i; else if (n === 2) s2 = i; else if (n === 3) s3 = i; else break;
      }
      let summary: string;
      if (n === 3 && s1 === 11 && pdu[8] === 0x41 && pdu[9] === 0x43 && pdu[10] === 0x4b) {
        // The document's order: ACK <type> <message_id> <client_id>.
        summary = `Ack ack_type=${summaryToken(pdu, s1 + 1, s2)} client_id=${summaryToken(pdu, s3 + 1, dataEnd)} message_id=${summaryToken(pdu, s2 + 1, s3)}`;
      } else if (n === 2) {
        const type0 = summaryToken(pdu, 8, s1);
        const name = ACK_TYPE_NAMES[Number(type0)];
        summary = `Ack ack_type=${type0}${name ? ` (${name})` : ''} client_id=${summaryToken(pdu, s1 + 1, s2)} message_id=${summaryToken(pdu, s2 + 1, dataEnd)}`;
      } else summary = `Ack ack=${summaryToken(pdu, 8, dataEnd)}`;
      return { message: 'Ack', summary, pair: RESPONSE };
    }
    default:
      return { message: 'Unknown', summary: `Unknown frame_type=${type} size=${size}`, pair: NONE };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// decode / encode

function decode(pdu: Uint8Array, direction: Direction): DecodedFrame {
  const message = direction === 'c2s' ? c2sMessage(pdu) : s2cMessage(pdu);
  const def = DEFS.get(`${direction}:${message}`)!;
  const r = decodeElements(def.elements, pdu, { prefix: PREFIX });
  const p = direction === 'c2s' ? peekC2s(pdu) : peekS2c(pdu);
  return assembleFrame({
    protocol: PREFIX, protocolLabel: 'Sohu push', pdu, direction, message, summary: p.summary,
    value: r.doc, tree: r.tree, notes: r.notes, consumed: r.consumed, failed: r.failed,
  });
}

function encode(message: string, direction: Direction, value: Doc): Uint8Array {
  const def = DEFS.get(`${direction}:${message}`);
  if (!def) {
    const other = DEFS.has(`${direction === 'c2s' ? 's2c' : 'c2s'}:${message}`);
    throw new EncodeError(`${PREFIX}: ${message} is ${other ? `not a ${direction} message` : 'not a push message'}`);
  }
  const doc: Doc = { ...value };
  if (direction === 'c2s' && message !== 'Magic') {
    if (message === 'Unknown') {
      const command = doc.command ?? (typeof doc.line === 'string' ? doc.line.split(' ')[0] : undefined);
      if (typeof command !== 'string') throw new EncodeError(`${PREFIX}.command: required (a string) for an Unknown command`);
      if (isCommand(command)) throw new EncodeError(`${PREFIX}.command: ${command} is a known command; encode it as message ${command}`);
      doc.command = command;
    } else if (doc.command === undefined) doc.command = message;
    else if (doc.command !== message) throw new EncodeError(`${PREFIX}.command: ${JSON.stringify(doc.command)} does not match message ${message}`);
  } else if (direction === 's2c') {
    const id = FRAME_TYPE_IDS[message];
    if (message === 'Unknown') {
      if (doc.frame_type === undefined) throw new EncodeError(`${PREFIX}.frame_type: required for an Unknown frame`);
      const t = Number(doc.frame_type);
      if (FRAME_TYPE_NAMES[t] !== undefined) throw new EncodeError(`${PREFIX}.frame_type: ${t} is ${FRAME_TYPE_NAMES[t]}, not Unknown`);
    } else if (doc.frame_type === undefined) doc.frame_type = id;
    else if (Number(doc.frame_type) !== id) throw new EncodeError(`${PREFIX}.frame_type: ${JSON.stringify(doc.frame_type)} does not match message ${message} (${id})`);
  }
  return encodeElements(def.elements, doc, { prefix: PREFIX });
}

export const pushProtocol: Protocol = {
  id: PREFIX,
  name: 'Sohu push',
  description: 'Sohu push broker protocol (NSQ-derived): text commands from clients and workers, binary frames from the broker',
  ports: [8600],
  messages: buildMessages(),
  catalog: buildCatalog(),

  detect(first, direction) {
    if (direction === 'c2s') return detectClient(first);
    if (direction === 's2c') return detectBroker(first);
    return detectClient(first) || detectBroker(first);
  },
  guessDirection,
  framer(direction, opts) {
    return direction === 'c2s' ? commandFramer(opts) : frameFramer(opts);
  },
  peek(pdu, direction) {
    return direction === 'c2s' ? peekC2s(pdu) : peekS2c(pdu);
  },
  decode(pdu, direction) {
    return decode(pdu, direction);
  },
  encode(message, direction, value) {
    return encode(message, direction, value);
  },
};

/** What a decoded negotiation Response switched the connection to (`tls_v1`, `snappy`, `deflate`): the engine stops decoding after it. */
export function pushUpgrades(frame: DecodedFrame): string[] {
  let r = frame.protocol === PREFIX && frame.message === 'Response' ? frame.value.response : undefined;
  if (typeof r === 'string' && r.startsWith('{')) {
    try { r = JSON.parse(r); } catch { return []; }
  }
  if (typeof r !== 'object' || r === null) return [];
  const o = r as Record<string, unknown>;
  return ['tls_v1', 'snappy', 'deflate'].filter((k) => o[k] === true);
}

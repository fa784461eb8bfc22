/**
 * tt — the 2014 open-source TeamTalk protocol (PROTOCOLS.md §3): a 12-byte big-endian header whose `tt.length`
 * covers the whole PDU, then a body chosen by (module_id, command_id). Bodies are declared in messages.ts.
 */
import { assembleFrame } from '../../codec/frame';
import { DEFAULT_MAX_PDU } from '../../codec/framing';
import { INVALID, NEED_MORE, type DecodedFrame, type Direction, type Framer, type FramerOptions, type MessageInfo, type PairingKey, type Peek, type Protocol } from '../../codec/protocol';
import {
  EncodeError, coerceInt, custom, decodeElements, encodeElements, int, schemaOf,
  type CatalogEntry, type Doc, type Element,
} from '../../codec/schema';
import type { FieldNode, Note } from '../../codec/tree';
import { scanSummary, summaryPlan, toElements, type SummaryPlan } from './layout';
import { MESSAGES, REPLY_NAMES, SERVER_INTERNAL, UNKNOWN, lookup, uniqueByName, type MessageDef } from './messages';
import { MODULES } from './records';
import { templateFor } from './templates';

const PREFIX = 'tt';
const HEADER_SIZE = 12;
/** The Java DB proxy's empty-body PDU: version written as one byte, so 11 bytes while `tt.length` says 12. */
const SHORT_HEADER_SIZE = 11;
/** Detection bound (§3.6); framing uses the caller's maxPdu. */
const DETECT_MAX = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Header

const lengthField = int('length', 'u4be', { label: 'PDU length', description: 'whole PDU including the 12-byte header', sizeOf: { from: '@start', to: '@end' } });

/** `tt.length`: decode only records it (decode() compares it with the PDU); encode fills it in. */
const headerLength = custom({
  ...lengthField,
  decode(s, _doc, tree) {
    const start = s.r.pos;
    tree.push({ abbrev: `${s.prefix}.length`, label: 'PDU length', start, length: 4, value: s.r.u32() });
  },
});

const moduleId = int('module_id', 'u2be', { label: 'module id', enum: MODULES as Record<number, string> });

const commandField = int('command_id', 'u2be', { label: 'command id', description: 'value names = the message names of the module' });

/** `tt.command_id`, displayed as the message name of its module. */
const commandId = custom({
  ...commandField,
  decode(s, doc, tree) {
    const start = s.r.pos;
    const value = s.r.u16();
    const direction = s.context.direction === 's2c' ? 's2c' : 'c2s';
    const def = lookup(Number(doc.module_id), value, direction);
    tree.push({ abbrev: `${s.prefix}.command_id`, label: 'command id', start, length: 2, value, display: `${value} (${def ? def.name : 'unknown'})` });
    doc.command_id = value;
  },
});

const versionField = int('version', 'u2be', { label: 'version', default: 1 });

/** `tt.version`: u16, or one byte in the Java DB proxy's short header (never encoded that way). */
const version = custom({
  ...versionField,
  decode(s, doc, tree) {
    const start = s.r.pos;
    const short = s.context.short === true;
    const value = short ? s.r.u8() : s.r.u16();
    const node: FieldNode = { abbrev: `${s.prefix}.version`, label: 'version', start, length: short ? 1 : 2, value };
    if (short) node.notes = [{ severity: 'warn', message: 'one-byte version (Java DB proxy short header)' }];
    tree.push(node);
    doc.version = value;
  },
});

const reserved = int('reserved', 'u2be', { label: 'reserved (sequence)', default: 0 });

const HEADER: readonly Element[] = [headerLength, moduleId, commandId, version, reserved];

// ---------------------------------------------------------------------------------------------------------------
// Per-message compiled forms

interface Compiled {
  def: MessageDef;
  elements: Element[];
  body: Element[];
  plan: SummaryPlan;
}

const COMPILED = new Map<MessageDef, Compiled>();
function compiled(def: MessageDef): Compiled {
  let c = COMPILED.get(def);
  if (!c) {
    const body = toElements(def.body);
    const summary = def === SERVER_INTERNAL || def === UNKNOWN ? [] : def.summary;
    c = { def, body, elements: [...HEADER, ...body], plan: summaryPlan(def.body, summary) };
    COMPILED.set(def, c);
  }
  return c;
}
for (const d of [...MESSAGES, SERVER_INTERNAL, UNKNOWN]) compiled(d);

// ---------------------------------------------------------------------------------------------------------------
// Header peeking (no tree)

interface Head {
  /** Bytes of header present: module/command known from 8, the whole header from 12 (11 in the short form). */
  avail: number;
  length: number;
  module: number;
  command: number;
  reserved: number;
  short: boolean;
  complete: boolean;
}

function readHead(b: Uint8Array): Head {
  const n = b.length;
  const length = n >= 4 ? ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0 : 0;
  const module = n >= 6 ? (b[4] << 8) | b[5] : -1;
  const command = n >= 8 ? (b[6] << 8) | b[7] : -1;
  // The short form is an 11-byte PDU (the framer cuts it so); a full 12 bytes is the normal header, whatever byte 8 is.
  const short = length === HEADER_SIZE && n === SHORT_HEADER_SIZE && b[8] === 0x01;
  const reserved = short ? (b[9] << 8) | b[10] : n >= HEADER_SIZE ? (b[10] << 8) | b[11] : 0;
  return { avail: n, length, module, command, reserved, short, complete: short || n >= HEADER_SIZE };
}

function defOf(h: Head, direction: Direction): MessageDef {
  if (h.command < 0) return UNKNOWN;
  return lookup(h.module, h.command, direction) ?? UNKNOWN;
}

/** Where the body ends in a PDU of this header: `tt.length`, clamped to the bytes present. */
function bodyEnd(h: Head, n: number): number {
  if (h.short) return SHORT_HEADER_SIZE;
  if (!h.complete || h.length < HEADER_SIZE) return n;
  return Math.min(h.length, n);
}

function summarize(pdu: Uint8Array, h: Head, def: MessageDef): string {
  if (def === UNKNOWN || def === SERVER_INTERNAL) {
    if (h.command < 0) return `${def.name} length=${pdu.length}`;
    return `${def.name} module_id=${h.module} command_id=${h.command} length=${h.complete ? h.length : pdu.length}`;
  }
  if (!h.complete) return def.name;
  const start = h.short ? SHORT_HEADER_SIZE : HEADER_SIZE;
  return def.name + scanSummary(pdu, start, bodyEnd(h, pdu.length), compiled(def).plan);
}

function u32At(b: Uint8Array, at: number): number | undefined {
  return at + 4 <= b.length ? ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0 : undefined;
}

/** §3.4: reserved ≠ 0 → key `<reserved>:<reply>`, else a FIFO lane per reply; MsgData/MsgDataAck by seq_no. */
function pairOf(pdu: Uint8Array, h: Head, def: MessageDef, direction: Direction): PairingKey {
  if (def.name === 'MsgData' || def.name === 'MsgDataAck') {
    const role = def.name === 'MsgData' ? 'request' : 'response';
    const seq = h.complete && !h.short ? u32At(pdu, HEADER_SIZE) : undefined;
    return seq === undefined ? { role, fifo: 'MsgDataAck' } : { role, key: `MsgData:${seq}` };
  }
  if (def.name === 'Heartbeat') return { role: direction === 'c2s' ? 'request' : 'response', fifo: 'Heartbeat' };
  const lane = def.reply ?? (REPLY_NAMES.has(def.name) ? def.name : undefined);
  if (lane === undefined) return { role: 'none' };
  const role = def.reply ? 'request' : 'response';
  if (def.fifoOnly || h.reserved === 0) return { role, fifo: lane };
  return { role, key: `${h.reserved}:${lane}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Framing and detection

function commandKnown(module: number, command: number): boolean {
  return lookup(module, command, 'c2s') !== undefined;
}

/**
 * Header plausibility on the bytes present (`avail` may be short of 12): length in range, version 1 (or the
 * short form), and when `strict`, module 1…7 with a command listed for it.
 */
function headerPlausible(b: Uint8Array, off: number, avail: number, max: number, strict: boolean): boolean {
  if (avail < 4) return true;
  const length = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  if (length < HEADER_SIZE || length > max) return false;
  if (strict && avail >= 6) {
    const module = (b[off + 4] << 8) | b[off + 5];
    if (module < 1 || module > 7) return false;
    if (avail >= 8 && !commandKnown(module, (b[off + 6] << 8) | b[off + 7])) return false;
  }
  if (avail < 9) return true;
  if (b[off + 8] === 0x01) return length === HEADER_SIZE; // short header; as a u16 the version would be ≥ 256
  if (b[off + 8] !== 0x00) return false;
  return avail < 10 || b[off + 9] === 0x01;
}

function ttFramer(opts: FramerOptions = {}): Framer {
  const max = opts.maxPdu ?? DEFAULT_MAX_PDU;
  return {
    frame(buf, off, end) {
      const avail = end - off;
      // Lenient on module/command so an unlisted id still frames (and decodes as Unknown); strict on length/version.
      if (!headerPlausible(buf, off, avail, max, false)) return INVALID;
      if (avail < 9) return NEED_MORE;
      const length = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
      if (length === HEADER_SIZE && buf[off + 8] === 0x01) return avail >= SHORT_HEADER_SIZE ? SHORT_HEADER_SIZE : NEED_MORE;
      return avail >= length ? length : NEED_MORE;
    },
    plausible(buf, off, end) {
      return headerPlausible(buf, off, end - off, max, true);
    },
    size(buf, off, end) {
      // From 10 bytes on, more bytes change nothing frame() checks: the length stands.
      if (end - off < 10) return NEED_MORE;
      if (!headerPlausible(buf, off, 10, max, false)) return INVALID;
      const length = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
      return length === HEADER_SIZE && buf[off + 8] === 0x01 ? SHORT_HEADER_SIZE : length;
    },
  };
}

function detect(first: Uint8Array, direction?: Direction): boolean {
  if (first.length < SHORT_HEADER_SIZE) return false;
  if (!headerPlausible(first, 0, Math.min(first.length, HEADER_SIZE), DETECT_MAX, true)) return false;
  const h = readHead(first);
  if (!h.complete) return false;
  const size = h.short ? SHORT_HEADER_SIZE : h.length;
  if (first.length < size) return true;
  // The whole PDU is here: its body must parse exactly.
  const def = defOf(h, direction ?? 'c2s');
  const start = h.short ? SHORT_HEADER_SIZE : HEADER_SIZE;
  const r = decodeElements(compiled(def).body, first, { prefix: PREFIX, start, end: size });
  return !r.failed && r.consumed === size - start;
}

function guessDirection(pdu: Uint8Array): Direction {
  const h = readHead(pdu);
  return h.command >= 0 && lookup(h.module, h.command, 'c2s')?.dir === 's2c' ? 's2c' : 'c2s';
}

// ---------------------------------------------------------------------------------------------------------------
// Decode / peek / encode

function peek(pdu: Uint8Array, direction: Direction): Peek {
  const h = readHead(pdu);
  const def = defOf(h, direction);
  const p: Peek = { message: def.name, summary: summarize(pdu, h, def), pair: pairOf(pdu, h, def, direction) };
  if (!h.complete) p.malformed = true;
  return p;
}

/** `peek` without the summary (the engine's ingest keeps only message and pairing). */
function classify(pdu: Uint8Array, direction: Direction): Omit<Peek, 'summary'> {
  const h = readHead(pdu);
  const def = defOf(h, direction);
  const c: Omit<Peek, 'summary'> = { message: def.name, pair: pairOf(pdu, h, def, direction) };
  if (!h.complete) c.malformed = true;
  return c;
}

function decode(pdu: Uint8Array, direction: Direction): DecodedFrame {
  const h = readHead(pdu);
  const def = defOf(h, direction);
  const notes: Note[] = [];
  const end = bodyEnd(h, pdu.length);
  const r = decodeElements(compiled(def).elements, pdu, { prefix: PREFIX, end, context: { direction, short: h.short } });
  const lengthNode = r.tree[0]?.abbrev === 'tt.length' ? r.tree[0] : undefined;
  const flag = (severity: Note['severity'], message: string): void => {
    notes.push({ severity, message });
    if (lengthNode) (lengthNode.notes ??= []).push({ severity, message });
  };
  if (h.short) {
    flag('warn', 'short header from the Java DB proxy: 11 bytes while tt.length says 12 (version written as one byte); re-encoding writes the 12-byte form');
  } else if (h.complete && h.length < HEADER_SIZE) {
    r.doc.length = h.length;
    flag('error', `tt.length is ${h.length}, smaller than the 12-byte header`);
  } else if (h.complete && h.length > pdu.length) {
    r.doc.length = h.length;
    if (!r.failed) flag('error', `truncated: tt.length is ${h.length} but only ${pdu.length} bytes are present`);
  }
  return assembleFrame({
    protocol: PREFIX, protocolLabel: 'TeamTalk', pdu, direction, message: def.name,
    summary: summarize(pdu, h, def), value: r.doc, tree: r.tree, notes: [...notes, ...r.notes],
    consumed: r.consumed, failed: r.failed,
  });
}

function idOf(value: Doc, key: 'module_id' | 'command_id'): number | undefined {
  const v = value[key];
  return v === undefined ? undefined : Number(coerceInt(v, 'u2be', `tt.${key}`));
}

function encode(message: string, direction: Direction, value: Doc): Uint8Array {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EncodeError('tt: the message document must be an object');
  let module = idOf(value, 'module_id');
  let command = idOf(value, 'command_id');
  const candidates = [...MESSAGES, SERVER_INTERNAL].filter((d) => d.name === message);
  if (message === 'Unknown') {
    if (module === undefined || command === undefined) throw new EncodeError('tt.command_id: an Unknown message needs module_id and command_id');
  } else if (candidates.length === 0) {
    throw new EncodeError(`tt: no message named ${message}`);
  } else if (message === SERVER_INTERNAL.name) {
    module ??= 7;
    command ??= module === 6 ? 565 : 100;
  } else {
    // Prefer the form valid in this direction (DBQueryResponse: 7/53 only s2c, 7/54 either way).
    const pick = candidates.find((d) => (module === undefined || d.module === module) && (command === undefined || d.command === command) && lookup(d.module, d.command, direction) === d)
      ?? candidates.find((d) => (module === undefined || d.module === module) && (command === undefined || d.command === command))
      ?? candidates[0];
    module ??= pick.module;
    command ??= pick.command;
  }
  const def = lookup(module, command, direction) ?? UNKNOWN;
  if (def.name !== message) {
    const what = `${module}/${command}${module === 7 && command === 53 ? ` in ${direction}` : ''}`;
    throw new EncodeError(`tt.command_id: ${what} is ${def.name}, not ${message}`);
  }
  return encodeElements(compiled(def).elements, { ...value, module_id: module, command_id: command }, { prefix: PREFIX });
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog and message list

function buildCatalog(): CatalogEntry[] {
  const all: CatalogEntry[] = [];
  for (const e of HEADER) e.catalog(PREFIX, all);
  for (const d of [...MESSAGES, SERVER_INTERNAL]) for (const e of compiled(d).body) e.catalog(PREFIX, all);
  const byAbbrev = new Map<string, CatalogEntry>();
  for (const entry of all) {
    const seen = byAbbrev.get(entry.abbrev);
    if (!seen) { byAbbrev.set(entry.abbrev, { ...entry }); continue; }
    // A name whose values mean different things per message (`tt.result`, `tt.status`) gets no catalog-wide names.
    if (JSON.stringify(seen.enum) !== JSON.stringify(entry.enum)) delete seen.enum;
  }
  return [...byAbbrev.values()];
}

function messageInfo(def: MessageDef): MessageInfo {
  const c = compiled(def);
  const schema = schemaOf(c.elements, def.name);
  const props = schema.properties!;
  if (def === UNKNOWN) {
    schema.required = [...new Set([...(schema.required ?? []), 'module_id', 'command_id'])];
  } else if (def !== SERVER_INTERNAL) {
    const commands = MESSAGES.filter((d) => d.name === def.name).map((d) => d.command);
    props.module_id = { ...props.module_id, const: def.module };
    props.command_id = commands.length === 1 ? { ...props.command_id, const: def.command } : { ...props.command_id, enum: commands };
  } else {
    props.module_id = { ...props.module_id, enum: [6, 7] };
    props.command_id = { ...props.command_id, description: 'module 6: 565 or 566; module 7: 100 or more' };
  }
  const ids = def === UNKNOWN ? 'any other module/command' : def === SERVER_INTERNAL ? '6/565, 6/566, 7/≥100' : MESSAGES.filter((d) => d.name === def.name).map((d) => `${d.module}/${d.command}`).join(', ');
  return {
    name: def.name,
    direction: def.dir,
    description: `${ids}: ${def.description}`,
    ...(def.reply ? { replies: [def.reply] } : {}),
    schema,
    template: () => templateFor(def),
  };
}

export const ttProtocol: Protocol = {
  id: PREFIX,
  name: 'TeamTalk',
  description: 'Open-source TeamTalk (TT) 2014 IM protocol: 12-byte big-endian header, module/command bodies',
  ports: [],
  suggestedPorts: [8008, 8300, 8500],
  messages: uniqueByName().map(messageInfo),
  catalog: buildCatalog(),
  detect,
  guessDirection,
  framer: (_direction, opts) => ttFramer(opts),
  peek,
  classify,
  decode,
  encode,
};


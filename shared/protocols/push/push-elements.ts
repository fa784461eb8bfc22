/**
 * Hand-written schema elements of the push protocol: text command lines, the IDENTIFY JSON body, the frame size and
 * the ASCII data of broker frames. They join the declarative lists in push.protocol.ts, so decode, encode, catalog,
 * JSON Schema and templates all come from one declaration.
 *
 * Text rule used throughout: the document holds the structured values (ids, codes, ack type); the raw text
 * (`line`, `ack`, `message_id_hex`) enters the document only when it cannot be rebuilt from them byte for byte
 * (leading zeros, `+` signs, extra spaces, the document's Ack order …). Encode writes such a text verbatim,
 * exactly like a derived length that the document overrides.
 */
import { fromUtf8, isValidUtf8, utf8 } from '../../codec/bytes';
import { jsonDocText, jsonDocValue, jsonTree, jsonValueOf, parseJsonBytes, type JsonNode } from '../../codec/json';
import { Truncated } from '../../codec/reader';
import { DERIVED, EncodeError, coerceInt, type CatalogEntry, type DecodeState, type Doc, type Element, type JsonSchema } from '../../codec/schema';
import type { FieldNode, Note, Severity } from '../../codec/tree';
import {
  ACK_TYPE_NAMES, COMMAND_PARAMS, MAGIC_TEXT, fromLatin1, hexFromId, idFromHex, indexOfByte, latin1, lineBounds,
  parseInt64, splitSpaces, stringifyGo,
} from './push-wire';

const INT64_SCHEMA: JsonSchema = { type: ['string', 'integer'], pattern: '^-?\\d+$' };

function note(s: DecodeState, node: FieldNode | undefined, severity: Severity, message: string): void {
  const n: Note = { severity, message };
  if (node) (node.notes ??= []).push(n);
  s.notes.push(n);
}

/** Text that is not UTF-8 cannot come back byte for byte from the decoded string: say so. */
function checkUtf8(s: DecodeState, node: FieldNode, start: number, end: number, what: string): void {
  const b = s.r.bytes;
  for (let i = start; i < end; i++) {
    if (b[i] < 0x80) continue;
    if (!isValidUtf8(b, start, end)) note(s, node, 'warn', `${what} is not valid UTF-8: shown with replacement characters, and re-encoding changes those bytes`);
    return;
  }
}

function truncated(at: number, wanted: number, available: number, message: string): Truncated {
  const t = new Truncated(at, wanted, available);
  t.message = message;
  return t;
}

function int64Doc(doc: Doc, name: string, where: string): string {
  const v = doc[name];
  if (v === undefined) throw new EncodeError(`${where}: required`);
  // A canonical decimal string is its own result (decode checks every line this way): no BigInt round trip.
  if (typeof v === 'string' && parseInt64(v) === v) return v;
  return coerceInt(v, 's8be', where).toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Magic

/** The 4-byte magic `"  V1"` and its generated version (a child: it is derived from bytes 2–3). */
export function magic(): Element {
  return {
    decode(s, doc, tree) {
      const b = s.r.bytes;
      const start = s.r.pos;
      const n = Math.min(4, s.r.remaining);
      const text = latin1(b, start, start + n);
      const version = text.replace(/^ +/, '');
      const node: FieldNode = {
        abbrev: `${s.prefix}.magic`, label: 'Magic', start, length: n, value: text, display: JSON.stringify(text),
        children: [{
          abbrev: `${s.prefix}.magic_version`, label: 'Protocol version', start: start + n - version.length,
          length: version.length, value: version, generated: true,
        }],
      };
      tree.push(node);
      doc.magic = text;
      s.r.pos = start + n;
      if (n < 4) throw truncated(start + n, 4 - n, 0, `truncated: the magic has ${n} of 4 bytes`);
      if (text !== MAGIC_TEXT) {
        note(s, node, 'warn', `magic ${JSON.stringify(text)} is not "  V1": the broker answers Error E_BAD_PROTOCOL and closes the connection`);
      }
    },
    encode(s, doc) {
      const v = doc.magic ?? MAGIC_TEXT;
      const where = `${s.prefix}.magic`;
      if (typeof v !== 'string') throw new EncodeError(`${where}: expected a string`);
      const bytes = fromLatin1(v);
      if (!bytes || bytes.length !== 4) throw new EncodeError(`${where}: must be 4 single-byte characters, got ${JSON.stringify(v)}`);
      // Only two leading spaces make the 4 bytes read back as a magic (no command line starts so).
      if (!v.startsWith('  ')) throw new EncodeError(`${where}: must start with two spaces, got ${JSON.stringify(v)}`);
      s.w.bytes(bytes);
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.magic`, type: 'string', label: 'Magic', description: 'protocol magic, "  V1"' });
      out.push({ abbrev: `${prefix}.magic_version`, type: 'string', label: 'Protocol version', description: 'the magic without its leading spaces', generated: true });
    },
    jsonSchema(props) {
      props.magic = { type: 'string', pattern: '^  [\\x21-\\xff]{2}$', default: MAGIC_TEXT, description: 'Magic — 4 characters; anything but "  V1" gets E_BAD_PROTOCOL' };
    },
    template(doc) { doc.magic = MAGIC_TEXT; },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Command lines

/** The canonical line of a command from its document, or undefined when a parameter is missing or invalid. */
export function buildLine(word: string, doc: Doc, prefix: string, strict: boolean): string | undefined {
  const parts = [word];
  for (const name of COMMAND_PARAMS[word] ?? []) {
    if (!strict && (typeof doc[name] !== 'string' || parseInt64(doc[name] as string) !== doc[name])) return undefined;
    parts.push(int64Doc(doc, name, `${prefix}.${name}`));
  }
  return parts.join(' ');
}

const PARAM_LABELS: Record<string, string> = { channel_id: 'Channel id', client_id: 'Client id', message_id: 'Message id' };

/**
 * A command line up to and including `\n` (optional `\r` stripped), split on single spaces. `word` is the command
 * the line is declared for; undefined for unknown commands, whose line is always kept in the document.
 */
export function commandLine(word: string | undefined): Element {
  const params = word === undefined ? [] : COMMAND_PARAMS[word];
  return {
    decode(s, doc, tree) {
      const b = s.r.bytes;
      const start = s.r.pos;
      const end = s.r.end;
      const { nl, textEnd } = lineBounds(b, start, end);
      const stop = nl < 0 ? end : nl;
      const line = fromUtf8(b, start, textEnd);
      const children: FieldNode[] = [];
      const lineNode: FieldNode = { abbrev: `${s.prefix}.line`, label: 'Command line', start, length: textEnd - start, value: line, children };
      tree.push(lineNode);
      checkUtf8(s, lineNode, start, textEnd, 'the command line');
      const parts = splitSpaces(b, start, textEnd);
      const command = fromUtf8(b, parts[0][0], parts[0][1]);
      doc.command = command;
      children.push({ abbrev: `${s.prefix}.command`, label: 'Command', start: parts[0][0], length: parts[0][1] - parts[0][0], value: command });
      params.forEach((name, i) => {
        const part = parts[i + 1];
        if (!part) {
          note(s, lineNode, 'warn', `${command} without ${name}: the broker rejects it (E_INVALID)`);
          return;
        }
        const text = fromUtf8(b, part[0], part[1]);
        const value = parseInt64(text);
        const label = PARAM_LABELS[name] ?? name;
        if (value === undefined) {
          const node: FieldNode = { label, start: part[0], length: part[1] - part[0], display: `${JSON.stringify(text)} (not a 64-bit decimal integer)` };
          children.push(node);
          note(s, node, 'warn', `${name} ${JSON.stringify(text)} is not a 64-bit decimal integer: the broker rejects it (E_INVALID)`);
          return;
        }
        doc[name] = value;
        children.push({ abbrev: `${s.prefix}.${name}`, label, start: part[0], length: part[1] - part[0], value });
      });
      if (word === undefined || buildLine(word, doc, s.prefix, false) !== line) doc.line = line;
      if (textEnd < stop) doc.crlf = true;
      if (nl < 0) {
        s.r.pos = end;
        throw truncated(end, 1, 0, 'truncated: the command line has no terminating \\n');
      }
      tree.push({ label: 'Line end', start: textEnd, length: nl + 1 - textEnd, display: textEnd < stop ? '\\r\\n' : '\\n' });
      s.r.pos = nl + 1;
    },
    encode(s, doc) {
      const where = `${s.prefix}.line`;
      const command = doc.command;
      let line: string;
      if (doc.line !== undefined) {
        if (typeof doc.line !== 'string') throw new EncodeError(`${where}: expected a string`);
        line = doc.line;
        const first = line.split(' ')[0];
        if (typeof command === 'string' && first !== command) {
          throw new EncodeError(`${where}: starts with ${JSON.stringify(first)} but command is ${JSON.stringify(command)}`);
        }
      } else if (word !== undefined) {
        line = buildLine(word, doc, s.prefix, true)!;
      } else {
        if (typeof command !== 'string') throw new EncodeError(`${s.prefix}.command: required`);
        line = command;
      }
      if (line.includes('\n') || line.endsWith('\r')) throw new EncodeError(`${where}: must not contain \\n or end with \\r`);
      if (line.startsWith('  ')) throw new EncodeError(`${where}: must not start with two spaces (that is the magic)`);
      if (doc.crlf !== undefined && typeof doc.crlf !== 'boolean') throw new EncodeError(`${s.prefix}.crlf: expected a boolean`);
      s.w.bytes(utf8(line + (doc.crlf === true ? '\r\n' : '\n')));
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.line`, type: 'string', label: 'Command line', description: 'the whole command line without \\r\\n' });
      out.push({ abbrev: `${prefix}.command`, type: 'string', label: 'Command', description: 'command word (H, NOP, IDENTIFY, SUB, PUB, CLS)' });
      for (const name of params) out.push({ abbrev: `${prefix}.${name}`, type: 'i64', label: PARAM_LABELS[name] ?? name, description: `${name} (decimal string)` });
    },
    jsonSchema(props, required) {
      props.command = word === undefined
        ? { type: 'string', pattern: '^\\S*$', description: 'Command word the broker does not implement (RDY, FIN, MPUB …)' }
        : { type: 'string', const: word, default: word, description: 'Command word' };
      for (const name of params) {
        props[name] = { ...INT64_SCHEMA, description: `${PARAM_LABELS[name]} — signed 64-bit integer as a decimal string` };
        required.push(name);
      }
      props.line = {
        type: 'string',
        description: word === undefined
          ? 'The whole command line without \\r\\n'
          : 'The whole command line without \\r\\n — built from the fields when absent; set it to send a line as is',
        ...(word === undefined ? {} : { [DERIVED]: true }),
      };
      if (word === undefined) required.push('line');
      props.crlf = { type: 'boolean', default: false, description: 'End the line with \\r\\n instead of \\n' };
    },
    template(doc) {
      doc.command = word ?? 'RDY';
      for (const name of params) doc[name] = '0';
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// JSON bodies (IDENTIFY) and JSON text (the negotiation Response)

export const IDENTIFY_MEMBERS: Array<[string, CatalogEntry['type'], string]> = [
  ['client_id', 'string', 'client (device) id, a decimal int64 in a JSON string'],
  ['role', 'string', 'client role; the worker uses "$_@push_sign_$_kz_worker"'],
  ['hostname', 'string', 'client host name'],
  ['heartbeat_interval', 'number', 'milliseconds: −1 disables, 0 = 30 s default, ≥ 1000'],
  ['output_buffer_size', 'number', 'bytes: −1, 0 or ≥ 64'],
  ['output_buffer_timeout', 'number', 'milliseconds: −1, 0 or ≥ 1'],
  ['feature_negotiation', 'boolean', 'ask for a JSON Response describing the negotiated features'],
  ['tls_v1', 'boolean', 'upgrade the connection to TLS'],
  ['deflate', 'boolean', 'compress the connection with deflate'],
  ['deflate_level', 'number', 'deflate level'],
  ['snappy', 'boolean', 'compress the connection with snappy'],
  ['sample_rate', 'number', 'percentage of messages to receive'],
  ['user_agent', 'string', 'client library and version'],
  ['msg_timeout', 'number', 'message timeout, milliseconds'],
];

export const RESPONSE_MEMBERS: Array<[string, CatalogEntry['type'], string]> = [
  ['version', 'string', 'broker version'],
  ['tls_v1', 'boolean', 'TLS negotiated'],
  ['deflate', 'boolean', 'deflate negotiated'],
  ['deflate_level', 'number', 'deflate level'],
  ['max_deflate_level', 'number', 'largest deflate level the broker accepts'],
  ['snappy', 'boolean', 'snappy negotiated'],
  ['sample_rate', 'number', 'sample rate'],
];

function jsonCatalog(out: CatalogEntry[], base: string, label: string, members: Array<[string, CatalogEntry['type'], string]>): void {
  out.push({ abbrev: `${base}.`, type: 'json', label: `${label} members`, description: `JSON members flattened under ${base}.`, dynamic: true });
  for (const [key, type, description] of members) out.push({ abbrev: `${base}.${key}`, type, label: key, description });
}

/** Checks on IDENTIFY members (§5.2 DOC ≠ WIRE, §5.3), and client_id shown as a decimal string. */
function checkIdentify(s: DecodeState, root: Extract<JsonNode, { kind: 'object' }>, nodes: FieldNode[]): void {
  root.members.forEach((m, i) => {
    const node = nodes[i];
    const v = m.value;
    const num = v.kind === 'number' ? Number(v.text) : undefined;
    switch (m.key) {
      case 'client_id':
        if (v.kind === 'number') {
          node.value = v.text;
          node.display = `${JSON.stringify(v.text)} (JSON number)`;
          note(s, node, 'warn', 'client_id is a JSON number (document form): the real broker needs a string holding the decimal id and answers E_BAD_BODY IDENTIFY failed to decode JSON body');
        } else if (v.kind === 'string') {
          if (parseInt64(v.value) === undefined) note(s, node, 'warn', `client_id ${JSON.stringify(v.value)} is not a decimal 64-bit id`);
        } else note(s, node, 'warn', 'client_id is not a string: the broker answers E_BAD_BODY');
        break;
      case 'heartbeat_interval':
        if (num === undefined || !Number.isInteger(num)) note(s, node, 'warn', 'heartbeat_interval is not an integer: the broker answers E_BAD_BODY');
        else if (num >= 1 && num < 1000) note(s, node, 'warn', `heartbeat_interval ${num} looks like seconds (document form): it is in milliseconds, and the real broker answers E_BAD_BODY IDENTIFY heartbeat interval (${num}) is invalid`);
        else if (num < -1) note(s, node, 'warn', `heartbeat_interval ${num} is invalid (−1, 0 or ≥ 1000 ms): the broker answers E_BAD_BODY`);
        break;
      case 'output_buffer_size':
        if (num !== undefined && !(num === -1 || num === 0 || num >= 64)) note(s, node, 'warn', `output_buffer_size ${num} is invalid (−1, 0 or ≥ 64): the broker answers E_BAD_BODY`);
        break;
      case 'output_buffer_timeout':
        if (num !== undefined && !(num === -1 || num >= 0)) note(s, node, 'warn', `output_buffer_timeout ${num} is invalid (−1, 0 or ≥ 1 ms): the broker answers E_BAD_BODY`);
        break;
    }
  });
}

/** Parses JSON text at b[start..end) into the node's children (flattened under `base`); returns the doc value. */
function jsonInto(s: DecodeState, node: FieldNode, base: string, text: string, start: number, end: number, what: string): { doc: unknown; root?: JsonNode } {
  let root: JsonNode;
  try {
    root = parseJsonBytes(s.r.bytes, start, end);
  } catch (e) {
    note(s, node, 'warn', `${what} is not valid JSON (${(e as Error).message})`);
    return { doc: text };
  }
  const value = jsonDocValue(text, jsonValueOf(root), stringifyGo);
  if (root.kind === 'object') node.children = jsonTree(root, base, what).children;
  else note(s, node, 'warn', `${what} is JSON but not an object`);
  return { doc: value, root };
}

/** `[u32 size][JSON]` after `IDENTIFY\n`. */
export function identifyBody(): Element {
  return {
    decode(s, doc, tree) {
      const b = s.r.bytes;
      const lenStart = s.r.pos;
      const declared = s.r.u32();
      tree.push({ abbrev: `${s.prefix}.identify_len`, label: 'IDENTIFY JSON length', start: lenStart, length: 4, value: declared });
      const start = s.r.pos;
      const available = s.r.remaining;
      const n = Math.min(declared, available);
      const text = fromUtf8(b, start, start + n);
      const node: FieldNode = { abbrev: `${s.prefix}.identify`, label: 'IDENTIFY JSON', start, length: n, value: text };
      tree.push(node);
      checkUtf8(s, node, start, start + n, 'IDENTIFY JSON');
      doc.identify = text;
      s.r.pos = start + n;
      if (declared > available) throw truncated(start + n, declared - n, 0, `truncated: IDENTIFY JSON has ${n} of ${declared} bytes`);
      const { doc: value, root } = jsonInto(s, node, `${s.prefix}.identify`, text, start, start + n, 'IDENTIFY JSON');
      doc.identify = value;
      if (root?.kind === 'object' && node.children) checkIdentify(s, root, node.children);
    },
    encode(s, doc) {
      const v = doc.identify ?? {};
      const content = utf8(jsonDocText(v, stringifyGo));
      const override = doc.identify_len;
      s.w.u32(override === undefined ? content.length : Number(coerceInt(override, 'u4be', `${s.prefix}.identify_len`)));
      s.w.bytes(content);
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.identify_len`, type: 'u32', label: 'IDENTIFY JSON length' });
      out.push({ abbrev: `${prefix}.identify`, type: 'string', label: 'IDENTIFY JSON', description: 'the JSON text' });
      jsonCatalog(out, `${prefix}.identify`, 'IDENTIFY', IDENTIFY_MEMBERS);
    },
    jsonSchema(props, required) {
      const properties: Record<string, JsonSchema> = {};
      for (const [key, type, description] of IDENTIFY_MEMBERS) {
        properties[key] = { type: type === 'number' ? 'integer' : type, description };
      }
      props.identify = {
        description: 'IDENTIFY JSON: an object (written compactly, as Go does) or the exact JSON text',
        anyOf: [{ type: 'object', properties, additionalProperties: true }, { type: 'string' }],
      };
      props.identify_len = { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'JSON length — computed when absent; set it to send a deliberately wrong value', [DERIVED]: true };
      required.push('identify');
    },
    template(doc) { doc.identify = {}; },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Broker frames

/**
 * `push.size` (u32 = 4 + data length). On decode it bounds the reader to the frame (bytes after it are trailing);
 * on encode it is computed unless the document overrides it.
 */
export function frameSize(): Element {
  return {
    decode(s, doc, tree) {
      const start = s.r.pos;
      const size = s.r.u32();
      const node: FieldNode = { abbrev: `${s.prefix}.size`, label: 'Size', start, length: 4, value: size };
      tree.push(node);
      const declaredEnd = s.r.pos + size;
      s.marks['size:after'] = s.r.pos;
      s.marks['size:declaredEnd'] = declaredEnd;
      if (size < 4) {
        doc.size = size;
        note(s, node, 'error', `size ${size} is below 4: a frame holds at least its frame type`);
      } else if (declaredEnd <= s.r.end) s.r.end = declaredEnd;
      else doc.size = size; // truncated: reported once the data is read
    },
    encode(s, doc) {
      const v = doc.size;
      if (v === undefined) {
        s.patches.push({ at: s.w.pos, int: 'u4be', size: { from: 'size:after', to: '@end' } });
        s.w.u32(0);
      } else s.w.u32(Number(coerceInt(v, 'u4be', `${s.prefix}.size`)));
      s.marks['size:after'] = s.w.pos;
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.size`, type: 'u32', label: 'Size', description: 'frame size: 4 + data length' });
    },
    jsonSchema(props) {
      props.size = { type: 'integer', minimum: 0, maximum: 0xffffffff, description: 'Size (4 + data length) — computed when absent; set it to send a deliberately wrong value', [DERIVED]: true };
    },
    template() {},
  };
}

/** Closes a frame: data shorter than `size` announced is a truncated frame. */
export function frameEnd(): Element {
  return {
    decode(s) {
      const declaredEnd = s.marks['size:declaredEnd'];
      const after = s.marks['size:after'];
      if (declaredEnd !== undefined && declaredEnd > s.r.end) {
        throw truncated(s.r.end, declaredEnd - s.r.end, 0, `truncated: size announces ${declaredEnd - after} bytes after it, ${s.r.end - after} present`);
      }
    },
    encode() {},
    catalog() {},
    jsonSchema() {},
    template() {},
  };
}

/** The rest of the frame as ASCII text (Response, Error, Ack data). */
function readText(s: DecodeState): { text: string; start: number; end: number } {
  const start = s.r.pos;
  const end = s.r.end;
  s.r.pos = end;
  return { text: fromUtf8(s.r.bytes, start, end), start, end };
}

/** The frame's text node, pushed, with the UTF-8 check. */
function textNode(s: DecodeState, tree: FieldNode[], node: FieldNode, what: string): FieldNode {
  tree.push(node);
  checkUtf8(s, node, node.start, node.start + node.length, what);
  return node;
}

/** Response data: `OK`, `H`, `CLOSE_WAIT` or the negotiation JSON (flattened under push.response.). */
export function responseData(): Element {
  return {
    decode(s, doc, tree) {
      const { text, start, end } = readText(s);
      const node = textNode(s, tree, { abbrev: `${s.prefix}.response`, label: 'Response', start, length: end - start, value: text }, 'the Response text');
      doc.response = text;
      if (s.r.bytes[start] !== 0x7b) return;
      const { doc: value, root } = jsonInto(s, node, `${s.prefix}.response`, text, start, end, 'Response JSON');
      doc.response = value;
      if (root?.kind !== 'object') return;
      const upgrades = root.members.filter((m) => ['tls_v1', 'snappy', 'deflate'].includes(m.key) && m.value.kind === 'boolean' && m.value.value).map((m) => m.key);
      if (upgrades.length > 0) {
        note(s, node, 'info', `${upgrades.join(' and ')} negotiated: after this Response the broker switches the connection to ${upgrades.map((u) => (u === 'tls_v1' ? 'TLS' : u)).join(' + ')}; the rest of the connection (both directions) cannot be decoded`);
      }
    },
    encode(s, doc) {
      const v = doc.response;
      if (v === undefined) throw new EncodeError(`${s.prefix}.response: required`);
      s.w.bytes(utf8(jsonDocText(v, stringifyGo)));
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.response`, type: 'string', label: 'Response', description: 'response text: OK, H, CLOSE_WAIT or the negotiation JSON' });
      jsonCatalog(out, `${prefix}.response`, 'Negotiation', RESPONSE_MEMBERS);
    },
    jsonSchema(props, required) {
      const properties: Record<string, JsonSchema> = {};
      for (const [key, type, description] of RESPONSE_MEMBERS) properties[key] = { type: type === 'number' ? 'integer' : type, description };
      props.response = {
        description: 'Response text (OK, H, CLOSE_WAIT), or the IDENTIFY negotiation JSON as an object',
        anyOf: [{ type: 'string', enum: ['OK', 'H', 'CLOSE_WAIT'] }, { type: 'string' }, { type: 'object', properties, additionalProperties: true }],
      };
      required.push('response');
    },
    template(doc) { doc.response = 'OK'; },
  };
}

export const ERROR_CODES = ['E_BAD_PROTOCOL', 'E_INVALID', 'E_BAD_BODY', 'E_INVALID_REQUEST', 'E_IDENTIFY_FAILED', 'internal'];

/** Error data `"<CODE> <description>"`. */
export function errorData(): Element {
  return {
    decode(s, doc, tree) {
      const { text, start, end } = readText(s);
      const b = s.r.bytes;
      const sp = indexOfByte(b, 0x20, start, end);
      const codeEnd = sp < 0 ? end : sp;
      const code = fromUtf8(b, start, codeEnd);
      const children: FieldNode[] = [{ abbrev: `${s.prefix}.error_code`, label: 'Code', start, length: codeEnd - start, value: code }];
      doc.error_code = code;
      if (sp >= 0) {
        const desc = fromUtf8(b, sp + 1, end);
        children.push({ abbrev: `${s.prefix}.error_desc`, label: 'Description', start: sp + 1, length: end - sp - 1, value: desc });
        doc.error_desc = desc;
      }
      textNode(s, tree, { abbrev: `${s.prefix}.error`, label: 'Error', start, length: end - start, value: text, children }, 'the Error text');
    },
    encode(s, doc) {
      let text: string;
      if (doc.error !== undefined) {
        if (typeof doc.error !== 'string') throw new EncodeError(`${s.prefix}.error: expected a string`);
        text = doc.error;
      } else {
        const code = doc.error_code;
        const desc = doc.error_desc;
        if (typeof code !== 'string') throw new EncodeError(`${s.prefix}.error_code: required (a string)`);
        if (code.includes(' ')) throw new EncodeError(`${s.prefix}.error_code: must not contain a space`);
        if (desc !== undefined && typeof desc !== 'string') throw new EncodeError(`${s.prefix}.error_desc: expected a string`);
        text = desc === undefined ? code : `${code} ${desc}`;
      }
      s.w.bytes(utf8(text));
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.error`, type: 'string', label: 'Error', description: 'full error text' });
      out.push({ abbrev: `${prefix}.error_code`, type: 'string', label: 'Code', description: 'text before the first space' });
      out.push({ abbrev: `${prefix}.error_desc`, type: 'string', label: 'Description', description: 'text after the first space (absent without one)' });
    },
    jsonSchema(props, required) {
      props.error_code = { type: 'string', pattern: '^\\S*$', description: 'Error code', anyOf: [{ enum: ERROR_CODES }, { type: 'string' }] };
      props.error_desc = { type: 'string', description: 'Description (omit for a bare code such as E_BAD_PROTOCOL)' };
      props.error = { type: 'string', description: 'Full error text — built from error_code and error_desc when absent', [DERIVED]: true };
      required.push('error_code');
    },
    template(doc) { doc.error_code = 'E_INVALID'; doc.error_desc = 'invalid command RDY'; },
  };
}

/** Message frame: the 16 hex characters of the id, with the decoded id as a child (same bytes). */
export function messageIdHex(): Element {
  return {
    decode(s, doc, tree) {
      const b = s.r.bytes;
      const start = s.r.pos;
      const n = Math.min(16, s.r.remaining);
      const text = latin1(b, start, start + n);
      const node: FieldNode = { abbrev: `${s.prefix}.message_id_hex`, label: 'Message id (hex)', start, length: n, value: text };
      tree.push(node);
      s.r.pos = start + n;
      if (n < 16) {
        doc.message_id_hex = text;
        throw truncated(start + n, 16 - n, 0, `truncated: the message id has ${n} of 16 hex characters`);
      }
      const id = idFromHex(text);
      if (id === undefined) {
        doc.message_id_hex = text;
        note(s, node, 'error', `message id ${JSON.stringify(text)} is not 16 hex digits`);
        return;
      }
      node.children = [{ abbrev: `${s.prefix}.message_id`, label: 'Message id', start, length: 16, value: id }];
      doc.message_id = id;
      if (hexFromId(BigInt(id)) !== text) doc.message_id_hex = text; // upper-case digits: keep them
    },
    encode(s, doc) {
      const where = `${s.prefix}.message_id_hex`;
      let text: string;
      if (doc.message_id_hex !== undefined) {
        if (typeof doc.message_id_hex !== 'string') throw new EncodeError(`${where}: expected a string`);
        text = doc.message_id_hex;
      } else text = hexFromId(coerceInt(doc.message_id ?? '0', 's8be', `${s.prefix}.message_id`) as bigint);
      const bytes = fromLatin1(text);
      if (!bytes || bytes.length !== 16) throw new EncodeError(`${where}: must be 16 characters, got ${JSON.stringify(text)}`);
      s.w.bytes(bytes);
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.message_id_hex`, type: 'string', label: 'Message id (hex)', description: '16 hex characters as sent' });
      out.push({ abbrev: `${prefix}.message_id`, type: 'i64', label: 'Message id', description: 'message id (decimal string)' });
    },
    jsonSchema(props, required) {
      props.message_id = { ...INT64_SCHEMA, description: 'Message id — signed 64-bit integer as a decimal string' };
      props.message_id_hex = { type: 'string', pattern: '^[0-9a-fA-F]{16}$', description: '16 hex characters — built from message_id when absent', [DERIVED]: true };
      required.push('message_id');
    },
    template(doc) { doc.message_id = '0'; },
  };
}

/** Ack data: real form `"<ack_type> <client_id> <message_id>"`; the document's `"ACK <type> <message_id> <client_id>"` is decoded with a warning. */
export function ackData(): Element {
  return {
    decode(s, doc, tree) {
      const { text, start, end } = readText(s);
      const b = s.r.bytes;
      const children: FieldNode[] = [];
      const node = textNode(s, tree, { abbrev: `${s.prefix}.ack`, label: 'Ack', start, length: end - start, value: text, children }, 'the Ack text');
      const parts = splitSpaces(b, start, end);
      const documentForm = parts.length === 4 && fromUtf8(b, parts[0][0], parts[0][1]) === 'ACK';
      if (documentForm) {
        children.push({ label: 'ACK word (document form)', start: parts[0][0], length: 3 });
        parts.shift();
        [parts[1], parts[2]] = [parts[2], parts[1]]; // the document puts the message id before the client id
        note(s, node, 'warn', 'Ack text in the document form "ACK <type> <message_id> <client_id>": the real broker sends "<ack_type> <client_id> <message_id>"');
      }
      const valid = parts.length === 3;
      const typeText = parts[0] ? fromUtf8(b, parts[0][0], parts[0][1]) : '';
      if (valid && /^-?\d{1,10}$/.test(typeText)) {
        const ackType = Number(typeText);
        const name = ACK_TYPE_NAMES[ackType] ?? (documentForm && ackType === 0 ? 'failed (document form)' : undefined);
        children.push({ abbrev: `${s.prefix}.ack_type`, label: 'Ack type', start: parts[0][0], length: parts[0][1] - parts[0][0], value: ackType, display: `${ackType} (${name ?? 'unknown'})` });
        doc.ack_type = ackType;
        if (!name) note(s, node, 'warn', `ack_type ${ackType} is not 1 (delivered), 2 (offline) or 3 (write failed)`);
      }
      const ids: Array<[string, [number, number] | undefined]> = [['client_id', parts[1]], ['message_id', parts[2]]];
      for (const [name, part] of ids) {
        if (!valid || !part) continue;
        const value = parseInt64(fromUtf8(b, part[0], part[1]));
        if (value === undefined) continue;
        children.push({ abbrev: `${s.prefix}.${name}`, label: PARAM_LABELS[name], start: part[0], length: part[1] - part[0], value });
        doc[name] = value;
      }
      children.sort((x, y) => x.start - y.start);
      if (!valid || doc.ack_type === undefined || doc.client_id === undefined || doc.message_id === undefined) {
        note(s, node, 'error', `Ack text ${JSON.stringify(text)} is not "<ack_type> <client_id> <message_id>"`);
      }
      if (documentForm || buildAck(doc, s.prefix, false) !== text) doc.ack = text;
    },
    encode(s, doc) {
      let text: string;
      if (doc.ack !== undefined) {
        if (typeof doc.ack !== 'string') throw new EncodeError(`${s.prefix}.ack: expected a string`);
        text = doc.ack;
      } else text = buildAck(doc, s.prefix, true)!;
      s.w.bytes(utf8(text));
    },
    catalog(prefix, out) {
      out.push({ abbrev: `${prefix}.ack`, type: 'string', label: 'Ack', description: 'full ack text' });
      out.push({ abbrev: `${prefix}.ack_type`, type: 'number', label: 'Ack type', enum: { 1: 'delivered', 2: 'target client offline', 3: 'write to target failed' } });
      out.push({ abbrev: `${prefix}.client_id`, type: 'i64', label: 'Client id', description: 'target client id (decimal string)' });
      out.push({ abbrev: `${prefix}.message_id`, type: 'i64', label: 'Message id', description: 'message id (decimal string)' });
    },
    jsonSchema(props, required) {
      props.ack_type = { type: 'integer', anyOf: [{ enum: [1, 2, 3], markdownEnumDescriptions: Object.values(ACK_TYPE_NAMES) }, { type: 'integer' }], description: 'Ack type' };
      props.client_id = { ...INT64_SCHEMA, description: 'Target client id — signed 64-bit integer as a decimal string' };
      props.message_id = { ...INT64_SCHEMA, description: 'Message id — signed 64-bit integer as a decimal string' };
      props.ack = { type: 'string', description: 'Full ack text — built in the real form from the fields when absent; set it to send e.g. the document form "ACK 1 <message_id> <client_id>"', [DERIVED]: true };
      required.push('ack_type', 'client_id', 'message_id');
    },
    template(doc) { doc.ack_type = 1; doc.client_id = '0'; doc.message_id = '0'; },
  };
}

function buildAck(doc: Doc, prefix: string, strict: boolean): string | undefined {
  if (!strict) {
    if (typeof doc.ack_type !== 'number' || typeof doc.client_id !== 'string' || typeof doc.message_id !== 'string') return undefined;
  }
  if (doc.ack_type === undefined) throw new EncodeError(`${prefix}.ack_type: required`);
  const type = coerceInt(doc.ack_type, 's4be', `${prefix}.ack_type`);
  return `${type} ${int64Doc(doc, 'client_id', `${prefix}.client_id`)} ${int64Doc(doc, 'message_id', `${prefix}.message_id`)}`;
}

/** Adds a display to what an element decodes (its last tree node). */
export function withDisplay(e: Element, display: (value: unknown) => string | undefined): Element {
  return {
    ...e,
    decode(s, doc, tree) {
      e.decode(s, doc, tree);
      const node = tree[tree.length - 1];
      if (node?.value !== undefined) {
        const d = display(node.value);
        if (d) node.display = d;
      }
    },
  };
}

/**
 * `http`: the HTTP/1.1 APIs of the push router and worker and the hodor registry (PROTOCOLS.md §6). Text, so the
 * codec is written by hand over bytes (the schema vocabulary is binary), split by concern: framing, peek, decode,
 * encode. The message document is described in http-doc.ts and README.md.
 */
import type { DecodeOptions, Direction, MessageInfo, Protocol } from '../../codec/protocol';
import type { CatalogEntry, Doc, JsonSchema } from '../../codec/schema';
import { API_NAMES } from './http-api';
import { decodeHttp } from './http-decode';
import { encodeHttp } from './http-encode';
import { httpFramer } from './http-framing';
import { httpRequestContext, peekHttp } from './http-peek';

/** Methods §7 row 6 accepts as the first bytes of a connection. */
const DETECT_METHODS = ['GET ', 'POST ', 'PUT ', 'DELETE ', 'HEAD ', 'OPTIONS ', 'PATCH '].map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));
const HTTP1 = Uint8Array.from('HTTP/1.', (c) => c.charCodeAt(0));
const SP_HTTP1 = Uint8Array.from(' HTTP/1.', (c) => c.charCodeAt(0));

function startsWith(b: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (b.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/** §7 row 6: a listed method, a target, ` HTTP/1.`; or `HTTP/1.` for a response. */
export function detectHttp(first: Uint8Array): boolean {
  if (startsWith(first, HTTP1)) return true;
  const m = DETECT_METHODS.find((p) => startsWith(first, p));
  if (!m) return false;
  let i = m.length;
  while (i < first.length && first[i] > 0x20 && first[i] !== 0x7f) i++;
  return i > m.length && startsWith(first, SP_HTTP1, i);
}

// ---------------------------------------------------------------------------------------------------------------
// Message documents (JSON Schema for the composer)

const headerSchema: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'Header name, casing kept as written' },
        value: { type: ['string', 'null'], description: 'Header value. Leave it out of a Content-Length to have the body length computed' },
        sep: { type: 'string', pattern: '^:[ \\t]*$', description: 'Exact text between name and value when it is not ": "' },
        trail: { type: 'string', pattern: '^[ \\t]*$', description: 'Whitespace after the value' },
      },
      required: ['name'],
      additionalProperties: false,
    },
    { type: 'object', properties: { line: { type: 'string', description: 'A line written verbatim (folded continuation, malformed line)' } }, required: ['line'], additionalProperties: false },
    { type: 'object', properties: { lineHex: { type: 'string', pattern: '^([0-9a-fA-F]{2})*$', description: 'A line that is not UTF-8, as hex' } }, required: ['lineHex'], additionalProperties: false },
  ],
};

const bodyProps: Record<string, JsonSchema> = {
  headers: { type: 'array', items: headerSchema, description: 'Header lines in wire order' },
  body: { type: 'string', description: 'Body (de-chunked): UTF-8 text, or hex when bodyEncoding is "hex". Absent = empty' },
  bodyEncoding: { enum: ['text', 'hex'], default: 'text', description: 'How `body` is written: text when the bytes are valid UTF-8, else hex' },
  chunks: {
    type: 'array',
    description: 'Chunk boundaries of a chunked body (Transfer-Encoding: chunked): data lengths adding up to the body length. Absent = the body as one chunk',
    items: {
      oneOf: [
        { type: 'integer', minimum: 1 },
        {
          type: 'object',
          properties: {
            length: { type: 'integer', minimum: 1 },
            size: { type: 'string', pattern: '^[0-9a-fA-F]+$', description: 'Size as written when not lower-case hex without leading zeros' },
            ext: { type: 'string', description: 'Chunk extension as written, e.g. ";name=value"' },
          },
          required: ['length'],
          additionalProperties: false,
        },
      ],
    },
  },
  lastChunk: { type: 'string', pattern: '^0+[ \\t]*(;.*)?$', description: 'The last-chunk line when it is not "0"' },
  trailers: { type: 'array', items: headerSchema, description: 'Trailer lines after the last chunk' },
};

const requestSchema: JsonSchema = {
  type: 'object',
  title: 'Request',
  properties: {
    method: { type: 'string', pattern: '^[A-Z]{1,20}$', description: 'Request method (http.method)', examples: ['GET', 'POST'] },
    uri: { type: 'string', minLength: 1, description: 'Request target as sent (http.uri), percent-encoded, no spaces; path and query fields are derived from it' },
    version: { type: 'string', pattern: '^HTTP/1\\.\\d$', default: 'HTTP/1.1', description: 'http.version' },
    ...bodyProps,
  },
  required: ['method', 'uri', 'headers'],
  additionalProperties: false,
};

const responseSchema: JsonSchema = {
  type: 'object',
  title: 'Response',
  properties: {
    version: { type: 'string', pattern: '^HTTP/1\\.\\d$', default: 'HTTP/1.1', description: 'http.version' },
    status_code: { type: ['integer', 'string'], minimum: 0, maximum: 999, description: 'http.status_code' },
    reason: { type: ['string', 'null'], description: 'Reason phrase (http.reason); null = none, not even the space; absent = the standard phrase' },
    ...bodyProps,
  },
  required: ['status_code', 'headers'],
  additionalProperties: false,
};

const messages: MessageInfo[] = [
  {
    name: 'Request',
    direction: 'c2s',
    replies: ['Response'],
    description: 'HTTP/1.1 request (push registration, /put, /ping, /info; hodor /registry)',
    schema: requestSchema,
    template: (): Doc => ({
      method: 'POST',
      uri: '/registration?serial_no=SOHUNO20140401XX&device_type=3&device_name=test',
      version: 'HTTP/1.1',
      headers: [
        { name: 'Host', value: '10.10.79.134:4171' },
        { name: 'User-Agent', value: 'framescope' },
        { name: 'Accept', value: '*/*' },
        { name: 'Content-Length' },
      ],
    }),
  },
  {
    name: 'Response',
    direction: 's2c',
    description: 'HTTP/1.1 response; push servers answer {"code","msg","data"} JSON',
    schema: responseSchema,
    template: (): Doc => ({
      version: 'HTTP/1.1',
      status_code: 200,
      reason: 'OK',
      headers: [
        { name: 'Content-Type', value: 'application/json; charset=utf-8' },
        { name: 'Content-Length' },
      ],
      body: '{"code":0,"msg":"OK","data":{"broker":"10.10.79.134:8600","device_id":1030391111929}}',
      bodyEncoding: 'text',
    }),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Catalog (§6.2)

const COMMON_HEADERS = ['host', 'user-agent', 'accept', 'content-type', 'content-length', 'transfer-encoding', 'connection', 'date'];

const catalog: CatalogEntry[] = [
  { abbrev: 'http.method', type: 'string', label: 'Method', description: 'request method' },
  { abbrev: 'http.uri', type: 'string', label: 'Request URI', description: 'request target as sent' },
  { abbrev: 'http.path', type: 'string', label: 'Path', description: 'path part of the target' },
  { abbrev: 'http.query.', type: 'string', label: 'Query parameter', description: 'query parameter (percent-decoded, UTF-8; + is a space)', dynamic: true },
  { abbrev: 'http.query.serial_no', type: 'string', label: 'serial_no', description: 'device serial number (/registration)' },
  { abbrev: 'http.query.device_type', type: 'string', label: 'device_type', description: 'device type (/registration, /put)', enum: { 0: 'all', 1: 'browser', 2: 'PC', 3: 'Android', 4: 'iOS', 5: 'Windows Phone', 6: 'other' } },
  { abbrev: 'http.query.device_name', type: 'string', label: 'device_name', description: 'device name (/registration)' },
  { abbrev: 'http.query.channel_id', type: 'string', label: 'channel_id', description: 'target channel, int64 (/put)' },
  { abbrev: 'http.version', type: 'string', label: 'Version', description: 'HTTP/1.1' },
  { abbrev: 'http.status_code', type: 'number', label: 'Status code', description: 'response status' },
  { abbrev: 'http.reason', type: 'string', label: 'Reason phrase' },
  { abbrev: 'http.header.', type: 'string', label: 'Header', description: 'header value, name in lower case', dynamic: true },
  ...COMMON_HEADERS.map((h): CatalogEntry => ({ abbrev: `http.header.${h}`, type: 'string', label: h })),
  { abbrev: 'http.content_length', type: 'number', label: 'Content length', description: 'Content-Length' },
  { abbrev: 'http.body', type: 'bytes', label: 'Body', description: 'body (de-chunked)' },
  { abbrev: 'http.json.', type: 'json', label: 'JSON body', description: 'flattened JSON body (N6)', dynamic: true },
  { abbrev: 'http.json.code', type: 'number', label: 'code', description: 'push result code', enum: { '-1': 'NotFound', 0: 'OK', 1: 'ParamErr', 2: 'InternalErr', 3: 'MethodErr', 4: 'MsgEmpty', 5: 'MsgTooLong', 6: 'MsgErr', 7: 'ChannelIdErr', 8: 'DeviceTypeErr', 9: 'SerialNoErr (router) / NoSubErr (worker)' } },
  { abbrev: 'http.json.msg', type: 'string', label: 'msg', description: 'push result message' },
  { abbrev: 'http.json.data.broker', type: 'string', label: 'data.broker', description: 'broker host:port assigned by /registration' },
  { abbrev: 'http.json.data.device_id', type: 'number', label: 'data.device_id', description: 'device id (int64; a decimal string beyond 2^53−1)' },
  { abbrev: 'http.json.data.version', type: 'string', label: 'data.version', description: 'server version (/info)' },
  { abbrev: 'http.json.type', type: 'number', label: 'type', description: 'hodor registry request type' },
  { abbrev: 'http.api', type: 'string', label: 'API', description: 'API name from PROTOCOLS.md §6.1', generated: true, enum: { ...API_NAMES } },
];

export const httpProtocol: Protocol = {
  id: 'http',
  name: 'HTTP/1.1',
  description: 'HTTP/1.1 APIs of the push router (4171) and worker (8710), and the hodor registry (PROTOCOLS.md §6)',
  ports: [4171, 8710],
  messages,
  catalog,
  detect: (first: Uint8Array) => detectHttp(first),
  /** A response starts with `HTTP/`; anything else is taken for a request. */
  guessDirection: (pdu: Uint8Array): Direction => (startsWith(pdu, Uint8Array.of(0x48, 0x54, 0x54, 0x50, 0x2f)) ? 's2c' : 'c2s'),
  framer: httpFramer,
  requestContext: httpRequestContext,
  framesResponsesByRequest: true,
  peek: (pdu: Uint8Array, direction: Direction, opts?: DecodeOptions) => peekHttp(pdu, direction, opts),
  decode: (pdu: Uint8Array, direction: Direction, opts?: DecodeOptions) => decodeHttp(pdu, direction, opts),
  encode: (message: string, _direction: Direction, value: Doc) => encodeHttp(message, value),
};

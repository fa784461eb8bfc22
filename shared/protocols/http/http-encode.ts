/**
 * Writes an HTTP/1.1 message from its document (http-doc.ts). Lengths the document leaves out are computed; a
 * frame the peer could not delimit (a request body without Content-Length or chunked coding, CR/LF inside a line)
 * is refused with an EncodeError naming the field, unless the user wrote the odd value explicitly.
 */
import { concatBytes, fromHex, utf8 } from '../../codec/bytes';
import type { Doc } from '../../codec/schema';
import { EncodeError } from '../../codec/schema';
import { REASONS } from './http-api';
import type { ChunkItem } from './http-doc';
import { isChunked } from './http-framing';

const P = 'http';
const CRLF = '\r\n';

function fail(field: string, message: string): never {
  throw new EncodeError(`${P}.${field}: ${message}`);
}

function lineSafe(field: string, v: unknown, what = 'a string'): string {
  if (typeof v !== 'string') fail(field, `expected ${what}, got ${JSON.stringify(v)}`);
  if (/[\r\n]/.test(v)) fail(field, 'must not contain CR or LF (it would end the line)');
  return v;
}

export function encodeHttp(message: string, doc: Doc): Uint8Array {
  let start: string;
  if (message === 'Request') {
    for (const k of ['status_code', 'reason']) if (doc[k] !== undefined) fail(k, 'a Request has no status line (is this a Response?)');
    // The start line must be one the framer and every peer recognise (PROTOCOLS.md §7 row 6).
    const method = lineSafe('method', doc.method ?? 'GET');
    if (!/^[A-Z]{1,20}$/.test(method)) fail('method', `${JSON.stringify(method)} is not a method (1 to 20 upper-case letters)`);
    const uri = lineSafe('uri', doc.uri ?? '/');
    if (uri === '') fail('uri', 'the request target is empty');
    if (/[\u0000-\u0020\u007f]/.test(uri)) fail('uri', 'the request target must not contain spaces or control characters (percent-encode them)');
    start = `${method} ${uri} ${version(doc.version)}`;
  } else if (message === 'Response') {
    for (const k of ['method', 'uri']) if (doc[k] !== undefined) fail(k, 'a Response has no request line (is this a Request?)');
    start = `${version(doc.version)} ${statusText(doc.status_code)}`;
    const reason = doc.reason === undefined ? REASONS[Number(doc.status_code)] ?? '' : doc.reason;
    if (reason !== null) start += ` ${lineSafe('reason', reason)}`;
  } else {
    throw new EncodeError(`${P}: unknown message ${JSON.stringify(message)} (HTTP messages are Request and Response)`);
  }

  const headers = headerItems('headers', doc.headers ?? []);
  const body = bodyBytes(doc);
  const chunked = isChunked(headers.filter((h) => h.lower === 'transfer-encoding' && h.value !== undefined).map((h) => h.value!));
  if (!chunked) for (const k of ['chunks', 'lastChunk', 'trailers']) if (doc[k] !== undefined) fail(k, 'only for a chunked body (add the header Transfer-Encoding: chunked)');
  const lengthHeaders = headers.filter((h) => h.lower === 'content-length');
  if (chunked && lengthHeaders.some((h) => h.value === undefined)) fail('header.content-length', 'cannot be computed for a chunked body: remove it or give its value');
  if (message === 'Request' && !chunked && lengthHeaders.length === 0 && body.length > 0) {
    fail('header.content-length', 'a request body needs a Content-Length header (add {"name": "Content-Length"} to have it computed) or Transfer-Encoding: chunked');
  }
  const status = Number(doc.status_code);
  if (message === 'Response' && body.length > 0 && ((status >= 100 && status < 200) || status === 204 || status === 304)) {
    fail('body', `a ${status} response has no body`);
  }

  const parts: Uint8Array[] = [utf8(start + CRLF)];
  for (const h of headers) parts.push(h.line(String(body.length)), utf8(CRLF));
  parts.push(utf8(CRLF));
  if (chunked) parts.push(...chunkedBytes(doc, body));
  else parts.push(body);
  return concatBytes(parts);
}

function version(v: unknown): string {
  const text = lineSafe('version', v ?? 'HTTP/1.1');
  if (!/^HTTP\/1\.\d$/.test(text)) fail('version', `${JSON.stringify(text)} is not HTTP/1.x`);
  return text;
}

function statusText(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 999) fail('status_code', `${v} is not a three-digit status`);
    return String(v).padStart(3, '0');
  }
  if (v === undefined) fail('status_code', 'required for a Response');
  // A text status code is what decode keeps for a malformed one: written as given.
  return lineSafe('status_code', v, 'a number');
}

interface EncodedHeader {
  lower: string;
  value?: string;
  /** The line's bytes (without CRLF); `computed` fills a Content-Length whose value is absent. */
  line(computed: string): Uint8Array;
}

function headerItems(field: string, v: unknown): EncodedHeader[] {
  if (!Array.isArray(v)) fail(field, 'expected an array of {name, value} objects');
  return v.map((item: unknown, i): EncodedHeader => {
    const where = `${field}[${i}]`;
    if (typeof item !== 'object' || item === null) fail(where, 'expected an object {name, value}');
    const h = item as Record<string, unknown>;
    if (h.line !== undefined) {
      const line = lineSafe(`${where}.line`, h.line);
      return { lower: '', line: () => utf8(line) };
    }
    if (h.lineHex !== undefined) {
      if (typeof h.lineHex !== 'string') fail(`${where}.lineHex`, 'expected a hex string');
      let bytes: Uint8Array;
      try { bytes = fromHex(h.lineHex); } catch (e) { fail(`${where}.lineHex`, (e as Error).message); }
      if (bytes.includes(0x0d) || bytes.includes(0x0a)) fail(`${where}.lineHex`, 'must not contain CR or LF');
      return { lower: '', line: () => bytes };
    }
    const name = lineSafe(`${where}.name`, h.name);
    const lower = name.trim().toLowerCase();
    if (lower === '' || name.includes(':')) fail(`${where}.name`, `${JSON.stringify(name)} is not a header name`);
    const abbrev = `header.${lower}`;
    const sep = h.sep === undefined ? ': ' : lineSafe(`${abbrev} sep`, h.sep);
    if (!/^:[ \t]*$/.test(sep)) fail(`${abbrev}`, `sep ${JSON.stringify(sep)} must be ':' followed by spaces or tabs`);
    const trail = h.trail === undefined ? '' : lineSafe(`${abbrev} trail`, h.trail);
    if (!/^[ \t]*$/.test(trail)) fail(abbrev, `trail ${JSON.stringify(trail)} must be spaces or tabs`);
    if (h.value === undefined || h.value === null) {
      if (lower !== 'content-length') fail(abbrev, 'value is required (only Content-Length is computed)');
      return { lower, line: (computed) => utf8(`${name}${sep}${computed}${trail}`) };
    }
    const value = lineSafe(abbrev, h.value);
    return { lower, value, line: () => utf8(`${name}${sep}${value}${trail}`) };
  });
}

function bodyBytes(doc: Doc): Uint8Array {
  const body = doc.body;
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body !== 'string') fail('body', `expected a string (text, or hex with bodyEncoding "hex"), got ${JSON.stringify(body)}`);
  const enc = doc.bodyEncoding ?? 'text';
  if (enc === 'text') return utf8(body);
  if (enc !== 'hex') fail('bodyEncoding', `expected "text" or "hex", got ${JSON.stringify(enc)}`);
  try { return fromHex(body); } catch (e) { return fail('body', (e as Error).message); }
}

/** Chunks as the document lists them (one chunk for the whole body when it does not), last chunk, trailers. */
function chunkedBytes(doc: Doc, body: Uint8Array): Uint8Array[] {
  const list: ChunkItem[] = doc.chunks === undefined ? (body.length > 0 ? [body.length] : []) : (doc.chunks as ChunkItem[]);
  if (!Array.isArray(list)) fail('chunks', 'expected an array of chunk lengths');
  const out: Uint8Array[] = [];
  let at = 0;
  list.forEach((c, i) => {
    const item: { length: number; size?: string; ext?: string } = typeof c === 'number' ? { length: c } : c;
    if (typeof item !== 'object' || item === null || !Number.isInteger(item.length) || item.length <= 0) fail(`chunks[${i}]`, 'expected a positive chunk length or {length, size?, ext?}');
    const size = item.size === undefined ? item.length.toString(16) : lineSafe(`chunks[${i}].size`, item.size);
    if (!/^[0-9a-fA-F]+$/.test(size)) fail(`chunks[${i}].size`, `${JSON.stringify(size)} is not hexadecimal`);
    const ext = item.ext === undefined ? '' : lineSafe(`chunks[${i}].ext`, item.ext);
    if (!/^[ \t]*(;.*)?$/.test(ext)) fail(`chunks[${i}].ext`, 'a chunk extension starts with ";"');
    if (at + item.length > body.length) fail('chunks', `chunk lengths add up to more than the body's ${body.length} bytes`);
    out.push(utf8(`${size}${ext}${CRLF}`), body.subarray(at, at + item.length), utf8(CRLF));
    at += item.length;
  });
  if (at !== body.length) fail('chunks', `chunk lengths add up to ${at}, the body has ${body.length} bytes (remove "chunks" to send the body as one chunk)`);
  const last = doc.lastChunk === undefined ? '0' : lineSafe('lastChunk', doc.lastChunk);
  if (!/^0+[ \t]*(;.*)?$/.test(last)) fail('lastChunk', `${JSON.stringify(last)} is not a last chunk (0, optionally with an extension)`);
  out.push(utf8(`${last}${CRLF}`));
  for (const t of headerItems('trailers', doc.trailers ?? [])) {
    if (t.value === undefined && t.lower === 'content-length') fail('trailers', 'Content-Length in trailers needs a value');
    out.push(t.line(''), utf8(CRLF));
  }
  out.push(utf8(CRLF));
  return out;
}

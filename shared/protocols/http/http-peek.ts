/**
 * The hot path: message name, one-line summary and pairing key from the start line only. `decode` uses the same
 * function, so its summary always equals peek's.
 */
import { latin1Text } from '../../codec/bytes';
import { indexOf } from '../../codec/framing';
import type { DecodeOptions, Direction, Peek } from '../../codec/protocol';
import { API_BY_PATH, apiOfPath, targetPath } from './http-api';
import { exactText, latin1 } from './http-doc';
import { CRLF, scanRequestLine, scanStatusLine } from './http-framing';

export const HTTP_LANE = 'http';
const SUMMARY_URI_MAX = 80;

/**
 * What pairing tells a response about its request (`DecodeOptions.context`): `requestUri`, the request target
 * (gives the response its `http.api`, see responseApi), and `requestMethod` (below).
 */
export interface HttpContext {
  /** The paired request's method: a HEAD (or a successful CONNECT) response has no body. */
  requestMethod?: string;
}

export function httpContext(opts?: DecodeOptions): HttpContext {
  const c = opts?.context;
  if (!c) return {};
  return {
    requestMethod: typeof c.requestMethod === 'string' ? c.requestMethod.toUpperCase() : undefined,
  };
}

/** Response when the bytes start with `HTTP/`; request when they start like one; else by direction. */
function isResponsePdu(pdu: Uint8Array, direction: Direction): boolean {
  if (pdu.length >= 5 && pdu[0] === 0x48 && pdu[1] === 0x54 && pdu[2] === 0x54 && pdu[3] === 0x50 && pdu[4] === 0x2f) return true;
  let i = 0;
  while (i < pdu.length && i < 21 && pdu[i] >= 0x41 && pdu[i] <= 0x5a) i++;
  if (i > 0 && pdu[i] === 0x20) return false;
  return direction === 's2c';
}

/** Offset of the CR that ends the first line, or the PDU length when there is none. */
export function startLineEnd(pdu: Uint8Array): number {
  const at = indexOf(pdu, CRLF, 0, pdu.length);
  return at < 0 ? pdu.length : at;
}

export function lineText(pdu: Uint8Array, start: number, end: number): string {
  return exactText(pdu, start, end) ?? latin1(pdu, start, end);
}

/** `name=value`, quoting values that are empty or contain spaces or quotes. */
function kv(name: string, value: string): string {
  const quote = value === '' || value.includes(' ') || value.includes('"') || value.includes('\t');
  return `${name}=${quote ? JSON.stringify(value) : value}`;
}

/** Protocol.requestContext: the method and target of a valid request line (as peekHttp reads it), else none. */
export function httpRequestContext(request: Uint8Array): Record<string, unknown> | undefined {
  const end = scanRequestLine(request, 0, request.length);
  if (end < 0) return undefined;
  // A valid request line has exactly two spaces: after the method and before the version.
  const sp1 = request.indexOf(0x20);
  return { requestMethod: shortText(request, 0, sp1), requestUri: shortText(request, sp1 + 1, end - 9) };
}

/** A response's `http.api`, from the paired request's target when pairing passed it. */
export function responseApi(context: DecodeOptions['context']): string | undefined {
  const uri = context?.requestUri;
  return typeof uri === 'string' ? apiOfPath(targetPath(uri)) : undefined;
}

const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Display text of start-line bytes: ASCII built directly, anything else through the (lenient) UTF-8 decoder. */
function shortText(pdu: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return lenientUtf8.decode(pdu.subarray(start, end));
  for (let i = start; i < end; i++) if (pdu[i] >= 0x80) return lenientUtf8.decode(pdu.subarray(start, end));
  return latin1Text(pdu, start, end);
}

const API_PATHS: ReadonlyArray<[Uint8Array, string]> = Object.entries(API_BY_PATH).map(([path, api]) => [Uint8Array.from(path, (c) => c.charCodeAt(0)), api]);

/** `http.api` of a request target, matched on the bytes (no string is built for an origin-form target). */
function requestApi(pdu: Uint8Array, start: number, end: number): string | undefined {
  if (pdu[start] !== 0x2f) return apiOfPath(targetPath(shortText(pdu, start, end))); // absolute-form: rare
  let stop = start;
  while (stop < end && pdu[stop] !== 0x3f && pdu[stop] !== 0x23) stop++;
  outer: for (const [path, api] of API_PATHS) {
    if (path.length !== stop - start) continue;
    for (let k = 1; k < path.length; k++) if (pdu[start + k] !== path[k]) continue outer;
    return api;
  }
  return undefined;
}

export function peekHttp(pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): Peek {
  const response = isResponsePdu(pdu, direction);
  const message = response ? 'Response' : 'Request';
  const end = response ? scanStatusLine(pdu, 0, pdu.length) : scanRequestLine(pdu, 0, pdu.length);
  if (end < 0) {
    const preview = lineText(pdu, 0, Math.min(startLineEnd(pdu), 48));
    return { message, summary: `${message} malformed ${kv('line', preview)}`, pair: { role: 'none' }, malformed: true };
  }
  if (response) {
    const status = (pdu[9] - 0x30) * 100 + (pdu[10] - 0x30) * 10 + (pdu[11] - 0x30);
    let summary = `Response status=${status}`;
    if (end > 13) summary += ` ${kv('reason', shortText(pdu, 13, end))}`;
    const api = responseApi(opts?.context);
    if (api) summary += ` api=${api}`;
    const interim = status >= 100 && status < 200 && status !== 101;
    return { message, summary, pair: interim ? { role: 'response', fifo: HTTP_LANE, more: true } : { role: 'response', fifo: HTTP_LANE } };
  }
  // A valid request line has exactly two spaces: after the method and before the version.
  const sp1 = pdu.indexOf(0x20);
  const sp2 = end - 9;
  let cut = sp2;
  if (sp2 - sp1 - 1 > SUMMARY_URI_MAX) {
    cut = sp1 + SUMMARY_URI_MAX;
    while ((pdu[cut] & 0xc0) === 0x80) cut--; // not inside a UTF-8 sequence
  }
  const uri = shortText(pdu, sp1 + 1, cut) + (cut < sp2 ? '…' : '');
  let summary = `Request method=${shortText(pdu, 0, sp1)} ${kv('uri', uri)}`;
  const api = requestApi(pdu, sp1 + 1, sp2);
  if (api) summary += ` api=${api}`;
  return { message, summary, pair: { role: 'request', fifo: HTTP_LANE } };
}

/**
 * The HTTP message document: what `decode` returns as `value` and `encode` accepts. It keeps everything needed
 * to give the exact bytes back (header order and casing, odd spacing, chunk boundaries, trailers) while the
 * parts a user edits stay plain: the start line's fields, `{name, value}` headers and the body as text.
 *
 * ```
 * Request:  { method, uri, version, headers: HeaderItem[], body?, bodyEncoding?, chunks?, lastChunk?, trailers? }
 * Response: { version, status_code, reason, headers, body?, bodyEncoding?, chunks?, lastChunk?, trailers? }
 * ```
 */

import { isValidUtf8, latin1Text } from '../../codec/bytes';

/**
 * One header line. `{name, value}` is written `name: value`. A Content-Length without `value` is computed from
 * the body when encoding (decode leaves it out when the wire value equals the body length). `sep` is the exact
 * text between the name and the value when it is not `": "`, `trail` whitespace after the value.
 */
export interface HeaderField {
  name: string;
  value?: string | null;
  sep?: string;
  trail?: string;
}

/** A line kept verbatim: no colon, or an obsolete folded continuation line (starts with a space or tab). */
export interface HeaderLine {
  line: string;
}

/** A line that is not valid UTF-8, as hex (the CRLF not included). */
export interface HeaderLineHex {
  lineHex: string;
}

export type HeaderItem = HeaderField | HeaderLine | HeaderLineHex;

/** A chunk of a chunked body: its data length, or the exact size text and chunk extension when unusual. */
export type ChunkItem = number | { length: number; size?: string; ext?: string };

export type BodyEncoding = 'text' | 'hex';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 exactly (a leading BOM is kept), or undefined when the bytes are not valid UTF-8. */
export function exactText(bytes: Uint8Array, start = 0, end = bytes.length): string | undefined {
  let ascii = true;
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) { ascii = false; break; }
  if (ascii) return latin1Text(bytes, start, end);
  // Validated first: the fatal decoder reports bad input by throwing, and an exception costs far more.
  return isValidUtf8(bytes, start, end) ? strictUtf8.decode(bytes.subarray(start, end)) : undefined;
}

/** Latin-1 view of bytes: a lossless string for display when the bytes are not UTF-8. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return latin1Text(bytes, start, end);
}

export function isHeaderField(item: HeaderItem): item is HeaderField {
  return typeof (item as HeaderField).name === 'string';
}

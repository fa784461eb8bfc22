/**
 * Full decode of one HTTP/1.1 message: the field tree (§6.2 names, byte ranges for the hex view) and the message
 * document that re-encodes to the same bytes. Never throws: damage becomes error notes on a partial tree.
 */
import { asciiPreview, toHex } from '../../codec/bytes';
import { assembleFrame } from '../../codec/frame';
import { indexOf } from '../../codec/framing';
import { jsonTree, parseJsonBytes, type JsonNode } from '../../codec/json';
import type { DecodedFrame, DecodeOptions, Direction } from '../../codec/protocol';
import type { Doc } from '../../codec/schema';
import type { FieldNode, Note } from '../../codec/tree';
import { apiOfPath, pathRange, pushCodeName, REGISTRATION_DEVICE_TYPES } from './http-api';
import { exactText, latin1, type ChunkItem, type HeaderItem } from './http-doc';
import { bodyMode, CRLF, CRLFCRLF, scanChunks, type ChunkLine, type HeaderFacts } from './http-framing';
import { httpContext, lineText, peekHttp, responseApi, startLineEnd } from './http-peek';
import { parseQuery } from './http-query';

const P = 'http';

interface State {
  pdu: Uint8Array;
  notes: Note[];
  doc: Doc;
}

function note(s: State, node: FieldNode | undefined, severity: Note['severity'], message: string): void {
  s.notes.push({ severity, message });
  if (node) (node.notes ??= []).push({ severity, message });
}

export function decodeHttp(pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): DecodedFrame {
  const peek = peekHttp(pdu, direction, opts);
  const ctx = httpContext(opts);
  const response = peek.message === 'Response';
  const s: State = { pdu, notes: [], doc: {} };
  const tree: FieldNode[] = [];
  let consumed = pdu.length;
  let failed = false;

  if ((direction === 'c2s') === response) note(s, undefined, 'info', `a ${response ? 'response' : 'request'} sent ${direction}`);

  // Start line.
  const lineEnd = startLineEnd(pdu);
  const hasCrlf = lineEnd < pdu.length;
  const lineNode: FieldNode = { label: response ? 'Status line' : 'Request line', start: 0, length: hasCrlf ? lineEnd + 2 : lineEnd, children: [] };
  tree.push(lineNode);
  let api: string | undefined;
  let status: number | undefined;
  if (response) {
    status = statusLine(s, lineNode, lineEnd);
    api = responseApi(opts?.context);
    if (api) lineNode.children!.push({ abbrev: `${P}.api`, label: 'API', start: lineEnd, length: 0, value: api, generated: true });
  } else {
    api = requestLine(s, lineNode, lineEnd);
  }
  if (peek.malformed) note(s, lineNode, 'error', `malformed ${response ? 'status' : 'request'} line`);

  // Header block.
  const hdr = hasCrlf ? indexOf(pdu, CRLFCRLF, lineEnd, pdu.length) : -1;
  const headersEnd = hdr < 0 ? pdu.length : hdr; // end of the last header line's text
  const headers = headerLines(s, hasCrlf ? lineEnd + 2 : pdu.length, headersEnd, hdr >= 0);
  s.doc.headers = headers.items;
  if (headers.node) tree.push(headers.node);
  if (hdr < 0) {
    note(s, headers.node ?? lineNode, 'error', 'truncated: the header block has no terminating empty line (CRLF CRLF)');
    return finish(s, pdu, direction, peek, tree, pdu.length, true);
  }
  const bodyStart = hdr + 4;

  // Body.
  const mode = bodyMode({ response, status, requestMethod: response ? ctx.requestMethod : undefined, facts: headers.facts });
  if (headers.facts.contentLength.length > 0 && headers.facts.transferEncoding.length > 0) {
    note(s, undefined, 'warn', 'both Content-Length and Transfer-Encoding are present: Transfer-Encoding wins (RFC 9112 §6.3)');
  }
  let body: Uint8Array | undefined;
  let bodyNode: FieldNode | undefined;
  let segments: Segment[] = [];
  let rest: FieldNode | undefined;
  switch (mode.kind) {
    case 'none':
      consumed = bodyStart;
      if (headers.facts.transferEncoding.length > 0 && !response) note(s, undefined, 'warn', `request Transfer-Encoding "${headers.facts.transferEncoding.join(', ')}" is not chunked: body not delimited`);
      break;
    case 'bad-length':
      consumed = bodyStart;
      note(s, headers.lengthNode, 'error', `invalid Content-Length "${mode.text}": the body cannot be delimited`);
      break;
    case 'length':
    case 'close': {
      const want = mode.kind === 'length' ? mode.length : pdu.length - bodyStart;
      const have = Math.min(want, pdu.length - bodyStart);
      consumed = bodyStart + have;
      body = pdu.subarray(bodyStart, consumed);
      if (have > 0) {
        bodyNode = { abbrev: `${P}.body`, label: 'Body', start: bodyStart, length: have, value: toHex(body), display: bodyDisplay(body) };
        segments = [{ from: 0, at: bodyStart, length: have }];
      }
      if (have < want) {
        note(s, bodyNode ?? headers.lengthNode, 'error', `truncated: Content-Length is ${want} but only ${have} body byte${have === 1 ? '' : 's'} present`);
        failed = true;
      }
      if (mode.kind === 'close') note(s, bodyNode, 'info', 'no Content-Length or chunked coding: the body runs until the connection closes, its length cannot be checked');
      if (mode.kind === 'length') contentLengthDoc(headers.items, have === want ? want : -1);
      break;
    }
    case 'chunked': {
      const c = chunkedBody(s, bodyStart);
      consumed = c.end;
      failed = c.failed;
      body = c.body;
      bodyNode = c.node;
      segments = c.segments;
      rest = c.rest;
      break;
    }
  }
  if (body && body.length > 0) {
    const text = exactText(body);
    s.doc.body = text ?? toHex(body);
    s.doc.bodyEncoding = text === undefined ? 'hex' : 'text';
  }
  if (bodyNode) {
    tree.push(bodyNode);
    if (body && body.length > 0) jsonBody(s, body, headers.contentType, headers.contentEncoding, bodyNode, segments, api, response);
  }
  if (rest) tree.push(rest);
  return finish(s, pdu, direction, peek, tree, consumed, failed);
}

function finish(s: State, pdu: Uint8Array, direction: Direction, peek: ReturnType<typeof peekHttp>, tree: FieldNode[], consumed: number, failed: boolean): DecodedFrame {
  return assembleFrame({
    protocol: P, protocolLabel: 'Hypertext Transfer Protocol', pdu, direction, message: peek.message, summary: peek.summary,
    value: s.doc, tree, notes: s.notes, consumed, failed,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Start lines

function textField(s: State, abbrev: string, label: string, start: number, end: number): FieldNode {
  return { abbrev, label, start, length: end - start, value: lineText(s.pdu, start, end) };
}

/** `METHOD SP request-target SP HTTP-version`; the target is everything between the first and the last space. */
function requestLine(s: State, node: FieldNode, end: number): string | undefined {
  const pdu = s.pdu;
  const kids = node.children!;
  let sp1 = -1;
  for (let i = 0; i < end; i++) if (pdu[i] === 0x20) { sp1 = i; break; }
  let sp2 = -1;
  for (let i = end - 1; i > sp1; i--) if (pdu[i] === 0x20) { sp2 = i; break; }
  if (sp1 < 0 || sp2 < 0) {
    // No target or no version: keep what there is so the text is not lost.
    const method = textField(s, `${P}.method`, 'Method', 0, sp1 < 0 ? end : sp1);
    kids.push(method);
    s.doc.method = method.value;
    s.doc.uri = sp1 < 0 ? '' : lineText(pdu, sp1 + 1, end);
    s.doc.version = '';
    if (sp1 >= 0) kids.push(textField(s, `${P}.uri`, 'Request URI', sp1 + 1, end));
    return undefined;
  }
  const method = textField(s, `${P}.method`, 'Method', 0, sp1);
  const uriNode = textField(s, `${P}.uri`, 'Request URI', sp1 + 1, sp2);
  const version = textField(s, `${P}.version`, 'Version', sp2 + 1, end);
  kids.push(method, uriNode, version);
  s.doc.method = method.value;
  s.doc.uri = uriNode.value;
  s.doc.version = version.value;
  const utf8 = exactText(pdu, sp1 + 1, sp2) !== undefined;
  if (!utf8) note(s, uriNode, 'warn', 'request target is not valid UTF-8: shown as Latin-1, re-encoding will differ');
  return uriParts(s, uriNode, sp1 + 1, sp2, utf8);
}

/** http.path, http.query.* and the generated http.api under the http.uri node. */
function uriParts(s: State, uriNode: FieldNode, start: number, end: number, utf8: boolean): string | undefined {
  const uri = uriNode.value as string;
  // Character index → byte offset (Latin-1 text has one character per byte).
  const byteOffset = utf8 ? utf8Offset : (_: string, chars: number): number => chars;
  const [from, to] = pathRange(uri);
  const path = uri.slice(from, to);
  const kids: FieldNode[] = (uriNode.children = []);
  let api: string | undefined;
  const pathStart = start + byteOffset(uri, from);
  const pathEnd = start + byteOffset(uri, to);
  if (path !== '') {
    const pathNode: FieldNode = { abbrev: `${P}.path`, label: 'Path', start: pathStart, length: pathEnd - pathStart, value: path };
    kids.push(pathNode);
    api = apiOfPath(path);
    if (api) pathNode.children = [{ abbrev: `${P}.api`, label: 'API', start: pathStart, length: pathEnd - pathStart, value: api, generated: true }];
  }
  if (s.pdu[pathEnd] === 0x3f && pathEnd < end) {
    let qEnd = pathEnd + 1;
    while (qEnd < end && s.pdu[qEnd] !== 0x23) qEnd++;
    for (const p of parseQuery(s.pdu, pathEnd + 1, qEnd)) {
      const node: FieldNode = { abbrev: `${P}.query.${p.name}`, label: p.name, start: p.start, length: p.end - p.start, value: p.value };
      if (api === 'push.registration' && p.name === 'device_type' && REGISTRATION_DEVICE_TYPES[p.value]) node.display = `${p.value} (${REGISTRATION_DEVICE_TYPES[p.value]})`;
      if (p.problem) note(s, node, 'warn', `query parameter ${p.name}: ${p.problem}`);
      kids.push(node);
    }
  }
  if (kids.length === 0) delete uriNode.children;
  return api;
}

/** UTF-8 byte length of the first `chars` UTF-16 units of `text`. */
function utf8Offset(text: string, chars: number): number {
  let n = 0;
  for (let i = 0; i < chars; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
  }
  return n;
}

/** `HTTP-version SP status-code [SP reason-phrase]`. Returns the status when it is three digits. */
function statusLine(s: State, node: FieldNode, end: number): number | undefined {
  const pdu = s.pdu;
  const kids = node.children!;
  let sp1 = -1;
  for (let i = 0; i < end; i++) if (pdu[i] === 0x20) { sp1 = i; break; }
  const version = textField(s, `${P}.version`, 'Version', 0, sp1 < 0 ? end : sp1);
  kids.push(version);
  s.doc.version = version.value;
  if (sp1 < 0) { s.doc.status_code = ''; s.doc.reason = null; return undefined; }
  let sp2 = -1;
  for (let i = sp1 + 1; i < end; i++) if (pdu[i] === 0x20) { sp2 = i; break; }
  const codeEnd = sp2 < 0 ? end : sp2;
  const codeText = lineText(pdu, sp1 + 1, codeEnd);
  let status: number | undefined;
  if (/^\d{3}$/.test(codeText)) {
    status = Number(codeText);
    kids.push({ abbrev: `${P}.status_code`, label: 'Status code', start: sp1 + 1, length: 3, value: status });
    s.doc.status_code = status;
  } else {
    s.doc.status_code = codeText; // kept as text so the bytes come back; the note says why
    const bad: FieldNode = { label: 'Status code', start: sp1 + 1, length: codeEnd - sp1 - 1, display: JSON.stringify(codeText) };
    kids.push(bad);
    note(s, bad, 'error', `status code "${codeText}" is not three digits`);
  }
  if (sp2 < 0) s.doc.reason = null;
  else {
    const reason = textField(s, `${P}.reason`, 'Reason phrase', sp2 + 1, end);
    kids.push(reason);
    s.doc.reason = reason.value;
  }
  return status;
}

// ---------------------------------------------------------------------------------------------------------------
// Header lines

interface Headers {
  items: HeaderItem[];
  node?: FieldNode;
  facts: HeaderFacts;
  contentType?: string;
  contentEncoding?: string;
  /** The Content-Length header nodes, for notes. */
  lengthNode?: FieldNode;
}

/**
 * Header lines in `pdu[from..to)` (`to` = the CRLF after the last line, or the PDU end when the block is cut).
 * Each becomes `http.header.<lower-case name>`; Content-Length also gives `http.content_length`.
 */
function headerLines(s: State, from: number, to: number, complete: boolean): Headers {
  const pdu = s.pdu;
  const out: Headers = { items: [], facts: { contentLength: [], transferEncoding: [] } };
  if (from >= to) return out;
  const node: FieldNode = { label: 'Headers', start: from, length: (complete ? to + 2 : to) - from, children: [] };
  out.node = node;
  const kids = node.children!;
  let at = from;
  while (at < to) {
    let eol = indexOf(pdu, CRLF, at, to + 2);
    if (eol < 0 || eol > to) eol = to;
    const text = exactText(pdu, at, eol);
    if (text === undefined) {
      out.items.push({ lineHex: toHex(pdu, at, eol) });
      const bad: FieldNode = { label: 'Header line (not UTF-8)', start: at, length: eol - at, display: latin1(pdu, at, eol) };
      kids.push(bad);
      note(s, bad, 'warn', 'header line is not valid UTF-8: kept as hex');
    } else if (text.startsWith(' ') || text.startsWith('\t')) {
      out.items.push({ line: text });
      const fold: FieldNode = { label: 'Continuation line', start: at, length: eol - at, display: text };
      kids.push(fold);
      note(s, fold, 'warn', 'obsolete line folding (RFC 9112 §5.2): continuation kept verbatim');
    } else {
      const colon = text.indexOf(':');
      const rawName = colon < 0 ? '' : text.slice(0, colon);
      const lower = rawName.trim().toLowerCase();
      if (lower === '') {
        out.items.push({ line: text });
        const bad: FieldNode = { label: 'Malformed header line', start: at, length: eol - at, display: text };
        kids.push(bad);
        note(s, bad, 'warn', `header line without a field name: ${JSON.stringify(text.slice(0, 40))}`);
      } else {
        const rest = text.slice(colon + 1);
        // Spaces and tabs around the value, found by hand (two regexes per header line cost more than the rest).
        let a = 0;
        while (a < rest.length && (rest.charCodeAt(a) === 0x20 || rest.charCodeAt(a) === 0x09)) a++;
        let z = rest.length;
        while (z > a && (rest.charCodeAt(z - 1) === 0x20 || rest.charCodeAt(z - 1) === 0x09)) z--;
        const lead = rest.slice(0, a);
        const trail = rest.slice(z);
        const value = rest.slice(a, z);
        const item: HeaderItem = { name: rawName, value };
        if (lead !== ' ') item.sep = `:${lead}`;
        if (trail !== '') item.trail = trail;
        out.items.push(item);
        const field: FieldNode = { abbrev: `${P}.header.${lower}`, label: rawName, start: at, length: eol - at, value };
        kids.push(field);
        if (rawName !== rawName.trim()) note(s, field, 'warn', `whitespace around the header name ${JSON.stringify(rawName)}`);
        // Framing headers count only when spelled exactly (no whitespace before the colon), as the framer reads them.
        const exact = rawName.toLowerCase();
        if (exact === 'content-length') {
          out.facts.contentLength.push(value);
          out.lengthNode ??= field;
          if (/^\d+$/.test(value)) {
            const vStart = at + utf8Offset(text, colon + 1 + lead.length);
            field.children = [{ abbrev: `${P}.content_length`, label: 'Content length', start: vStart, length: value.length, value: Number(value) }];
          }
        } else if (exact === 'transfer-encoding') out.facts.transferEncoding.push(value);
        else if (lower === 'content-type') out.contentType ??= value;
        else if (lower === 'content-encoding') out.contentEncoding ??= value;
      }
    }
    at = eol + 2;
  }
  return out;
}

/** Content-Length values equal to the body length leave the document: the encoder computes them (README). */
function contentLengthDoc(items: HeaderItem[], bodyLength: number): void {
  if (bodyLength < 0) return;
  for (const item of items) {
    if ('name' in item && item.name.toLowerCase() === 'content-length' && item.value === String(bodyLength)) delete item.value;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies

/** A run of body bytes: de-chunked offset `from` sits at PDU offset `at`. */
interface Segment {
  from: number;
  at: number;
  length: number;
}

function bodyDisplay(body: Uint8Array, chunks?: number): string {
  const n = body.length;
  const what = `${n} byte${n === 1 ? '' : 's'}${chunks === undefined ? '' : ` in ${chunks} chunk${chunks === 1 ? '' : 's'}`}`;
  return n === 0 ? what : `${what}: ${asciiPreview(body)}`;
}

interface Chunked {
  end: number;
  failed: boolean;
  /** The bytes from the damaged chunk on, with the error note. */
  rest?: FieldNode;
  body: Uint8Array;
  node: FieldNode;
  segments: Segment[];
}

function chunkedBody(s: State, bodyStart: number): Chunked {
  const pdu = s.pdu;
  const lines: ChunkLine[] = [];
  const scan = scanChunks(pdu, bodyStart, pdu.length, Number.MAX_SAFE_INTEGER, (c) => lines.push(c));
  const complete = (c: ChunkLine): boolean => c.size === 0 || (c.dataStart + c.size + 2 <= pdu.length && pdu[c.dataStart + c.size] === 0x0d && pdu[c.dataStart + c.size + 1] === 0x0a);
  const good = lines.filter((c) => c.size > 0 && complete(c));
  const last = lines.find((c) => c.size === 0);
  const segments: Segment[] = [];
  let total = 0;
  for (const c of good) { segments.push({ from: total, at: c.dataStart, length: c.size }); total += c.size; }
  const body = new Uint8Array(total);
  for (const seg of segments) body.set(pdu.subarray(seg.at, seg.at + seg.length), seg.from);

  let end: number;
  let rest: FieldNode | undefined;
  if (scan.kind === 'complete') end = scan.end;
  else {
    end = good.length > 0 ? good[good.length - 1].dataStart + good[good.length - 1].size + 2 : bodyStart;
    rest = { label: 'Undecoded chunked data', start: end, length: pdu.length - end, display: asciiPreview(pdu, end) };
    note(s, rest, 'error', scan.kind === 'bad'
      ? `malformed chunked body at byte ${scan.at}: ${scan.reason}`
      : 'truncated: the chunked body ends before its last chunk');
  }

  const node: FieldNode = { abbrev: `${P}.body`, label: 'Body (chunked)', start: bodyStart, length: end - bodyStart, value: toHex(body), display: bodyDisplay(body, good.length), children: [] };
  const chunks: ChunkItem[] = [];
  good.forEach((c, i) => {
    const sizeText = latin1(pdu, c.lineStart, c.lineEnd);
    const digits = /^[0-9a-fA-F]+/.exec(sizeText)![0];
    const ext = sizeText.slice(digits.length);
    const canonical = digits === c.size.toString(16);
    chunks.push(canonical && ext === '' ? c.size : { length: c.size, ...(canonical ? {} : { size: digits }), ...(ext === '' ? {} : { ext }) });
    node.children!.push({
      label: `chunk[${i}]`, start: c.lineStart, length: c.dataStart + c.size + 2 - c.lineStart, display: `${c.size} byte${c.size === 1 ? '' : 's'}`,
      children: [
        { label: 'Chunk size', start: c.lineStart, length: c.lineEnd - c.lineStart, display: `${sizeText} (${c.size})` },
        { label: 'Chunk data', start: c.dataStart, length: c.size, display: asciiPreview(pdu, c.dataStart, c.dataStart + c.size) },
      ],
    });
  });
  const canonicalChunks = chunks.length === 0 || (chunks.length === 1 && typeof chunks[0] === 'number');
  if (!canonicalChunks) s.doc.chunks = chunks;
  if (last && scan.kind === 'complete') {
    const lastText = latin1(pdu, last.lineStart, last.lineEnd);
    if (lastText !== '0') s.doc.lastChunk = lastText;
    node.children!.push({ label: 'Last chunk', start: last.lineStart, length: last.lineEnd + 2 - last.lineStart, display: lastText });
    // Trailer lines end with the CRLF at scan.end − 4; scan.end − 2 is the empty line.
    const trailers = last.dataStart < scan.end - 2 ? headerLines(s, last.dataStart, scan.end - 4, true) : undefined;
    if (trailers && trailers.items.length > 0) {
      s.doc.trailers = trailers.items;
      trailers.node!.label = 'Trailers';
      node.children!.push(trailers.node!);
    }
  }
  return { end, failed: rest !== undefined, rest, body, node, segments };
}

/**
 * Flattens a JSON body under `http.json.` (N6) when Content-Type says json or the body starts with `{`. Ranges
 * of a chunked body are mapped back through the chunks; JSON split over several chunks replaces the chunk nodes
 * (both cannot nest), the chunk sizes stay in the body's display.
 */
function jsonBody(s: State, body: Uint8Array, contentType: string | undefined, contentEncoding: string | undefined, bodyNode: FieldNode, segments: Segment[], api: string | undefined, response: boolean): void {
  const declared = contentType !== undefined && /json/i.test(contentType);
  if (!declared && body[0] !== 0x7b) return;
  if (contentEncoding !== undefined && !/^identity$/i.test(contentEncoding)) {
    note(s, bodyNode, 'info', `body is ${contentEncoding}-encoded: JSON not decoded`);
    return;
  }
  let root: JsonNode;
  try {
    root = parseJsonBytes(body);
  } catch (e) {
    note(s, bodyNode, declared ? 'warn' : 'info', `body is not valid JSON: ${(e as Error).message}`);
    return;
  }
  const json = jsonTree(root, `${P}.json`, 'JSON', 0);
  delete json.abbrev; // the root is the body itself; its members are the fields
  remap(json, segments);
  const kids = bodyNode.children;
  if (kids === undefined) bodyNode.children = [json];
  else {
    // Chunked: chunk[i] is kids[i] and holds segments[i].
    const i = segments.findIndex((g) => json.start >= g.at && json.start + json.length <= g.at + g.length);
    if (i >= 0) kids[i].children![1].children = [json]; // inside one chunk: under its data node
    else bodyNode.children = [json, ...kids.slice(segments.length)];
  }
  pushDisplay(s, root, json, api, response);
}

/** A de-chunked body offset's PDU offset. */
function mapOffset(d: number, segments: Segment[]): number {
  for (const g of segments) if (d < g.from + g.length) return g.at + (d - g.from);
  const g = segments[segments.length - 1];
  return g.at + g.length;
}

/** Moves a tree built over the de-chunked body to PDU offsets (monotonic, so nesting and order survive). */
function remap(node: FieldNode, segments: Segment[]): void {
  const start = mapOffset(node.start, segments);
  const end = node.length === 0 ? start : mapOffset(node.start + node.length - 1, segments) + 1;
  node.start = start;
  node.length = end - start;
  for (const c of node.children ?? []) remap(c, segments);
}

/** Push result codes get their names; the document's unwrapped registration reply gets its warn note. */
function pushDisplay(s: State, root: JsonNode, json: FieldNode, api: string | undefined, response: boolean): void {
  if (root.kind !== 'object') return;
  const keys = new Set(root.members.map((m) => m.key));
  const pushLike = api?.startsWith('push.') || (api === undefined && keys.has('code') && keys.has('msg'));
  const code = json.children?.find((c) => c.abbrev === `${P}.json.code`);
  if (pushLike && code && typeof code.value === 'number') {
    const name = pushCodeName(code.value, api);
    if (name) code.display = `${code.value} (${name})`;
  }
  if (response && (api === undefined || api === 'push.registration') && !keys.has('code') && (keys.has('broker') || keys.has('device_id'))) {
    note(s, json, 'warn', 'document form of the registration reply (no {"code","msg","data"} wrapper): accepted; the real router always wraps it');
  }
}

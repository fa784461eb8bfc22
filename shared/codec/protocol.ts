/**
 * What every protocol declaration provides. Everything else (the CLI, the engine, the UI, filters, the composer)
 * works through this interface and never switches over protocol ids or message ids itself.
 */
import type { Charset } from './bytes';
import type { CatalogEntry, Doc, JsonSchema } from './schema';
import type { FieldNode, FieldValue, Note } from './tree';

export type Direction = 'c2s' | 's2c';
export type MessageDirection = Direction | 'both';

export interface MessageInfo {
  /** Stable message name (PROTOCOLS.md §0.3). */
  name: string;
  direction: MessageDirection;
  description?: string;
  /** Names of the messages that answer this one. */
  replies?: string[];
  /** JSON Schema of the message document that `encode` accepts. */
  schema: JsonSchema;
  /** A valid document to start from (the composer's template). */
  template(): Doc;
}

export interface DecodeOptions {
  charset?: Charset;
  /** A decode-as variant (`hodor` generation `B`, `txlcn` `json`). */
  variant?: string;
  /** What pairing knows about this frame: e.g. txlcn's `requestAction` for a `rok`. */
  context?: Record<string, unknown>;
}

/**
 * DecodeOptions.context of a response, from its request: the request's message name (txlcn's `rok` payload depends
 * on its action) and what Protocol.requestContext took from the request's bytes (HTTP's method and target). The
 * session and the composer's channels both give a response this.
 */
export function responseContext(requestMessage: string, fromRequest?: Record<string, unknown>): Record<string, unknown> {
  return { requestMessage, requestAction: requestMessage, ...fromRequest };
}

export interface EncodeOptions {
  charset?: Charset;
  variant?: string;
  context?: Record<string, unknown>;
}

export interface DecodedFrame {
  protocol: string;
  message: string;
  direction: Direction;
  /** PDU size in bytes. */
  length: number;
  /** One line, like Wireshark's Info column. */
  summary: string;
  /** The message document: `encode(message, direction, value)` gives the PDU back. */
  value: Doc;
  /** Field tree; the first node is the protocol root covering the whole PDU. */
  tree: FieldNode[];
  notes: Note[];
  /** True when an error note was raised (truncated, impossible value): the row is shown red. */
  malformed: boolean;
}

/** Fields by display-filter name, as `flattenFields` gives them: a repeated name maps to an array in wire order. */
export type FlatFields = Record<string, FieldValue | FieldValue[]>;

export interface Peek {
  message: string;
  summary: string;
  /** How this PDU pairs with its request or response (PROTOCOLS.md pairing rules). */
  pair: PairingKey;
  /** Set when even the header is unreadable. */
  malformed?: boolean;
}

/**
 * Frame boundary finder for one direction of one connection. `frame` sees the bytes buffered so far
 * (`buf[off..end)`) and returns the PDU length, NEED_MORE, or INVALID (no plausible PDU starts at `off`).
 * Framers may keep state (push's magic, HTTP's request/response order); `commit` tells them a PDU was cut.
 */
export interface Framer {
  frame(buf: Uint8Array, off: number, end: number): number;
  commit?(pdu: Uint8Array): void;
  /** At end of stream: the length of a PDU that ends with the stream (HTTP body until close), else 0. */
  atEof?(buf: Uint8Array, off: number, end: number): number;
  /** Whether a PDU plausibly starts at `off` (used to resynchronise after garbage). Defaults to frame() > 0 or NEED_MORE. */
  plausible?(buf: Uint8Array, off: number, end: number): boolean;
  /**
   * The size frame() will return for the incomplete PDU at `off` once all of it is there, when its first bytes
   * already tell (a length-prefixed header); NEED_MORE (or INVALID) otherwise. Lets the deframer gather a PDU that
   * spans chunks straight into a buffer of its own. A wrong answer costs time, not correctness: the gathered bytes
   * are framed after every chunk all the same.
   */
  size?(buf: Uint8Array, off: number, end: number): number;
}

export const NEED_MORE = -1;
export const INVALID = -2;

export interface FramerOptions {
  /** Largest PDU accepted; a header announcing more is treated as garbage (nothing is allocated for it). */
  maxPdu?: number;
  variant?: string;
  /**
   * Shared by the two framers of one connection, so that a response's framing can depend on its request (HTTP: the
   * response to a HEAD has no body, whatever its Content-Length says). Without it each direction frames alone.
   */
  exchange?: FramerExchange;
}

/** What the framers of a connection's two directions tell each other (FramerOptions.exchange). */
export interface FramerExchange {
  /**
   * One entry per request framed whose response has not been, oldest first: what that response's framing needs
   * (HTTP: the method). Cleared when bytes of either direction are lost: requests and responses no longer line up.
   */
  pending: string[];
}

export interface PairingKey {
  /** `request` opens a transaction, `response` closes one, `none` takes no part (pushes, one-way notices). */
  role: 'request' | 'response' | 'none';
  /**
   * Key shared by a request and its response(s); undefined pairs first-in-first-out within `fifo`. A number where
   * the protocol can make one (flyer): it costs no string per frame.
   */
  key?: string | number;
  /** FIFO lane for keyless pairing (e.g. the expected reply message name). */
  fifo?: string;
  /** A response that may be followed by another for the same request (hodor's RUNNING then SUCCEEDED). */
  more?: boolean;
}

export interface Variant {
  id: string;
  label: string;
}

export interface Protocol {
  id: string;
  name: string;
  description: string;
  /** Server ports that identify the protocol (PROTOCOLS.md §7). */
  ports: number[];
  /** Ports offered as suggestions only (tt's sample configuration). */
  suggestedPorts?: number[];
  messages: MessageInfo[];
  catalog: CatalogEntry[];
  variants?: Variant[];

  /** Cheap heuristic on the first bytes of a direction (PROTOCOLS.md §7). */
  detect(first: Uint8Array, direction?: Direction): boolean;
  /** A lone buffer's direction (PROTOCOLS.md per-section rules). */
  guessDirection(pdu: Uint8Array): Direction;
  framer(direction: Direction, opts?: FramerOptions): Framer;
  /**
   * The response framer needs the request framer's notes (FramerOptions.exchange; HTTP: a HEAD's response has no
   * body), so whoever frames a connection's responses frames its requests too, from the start of the stream.
   */
  framesResponsesByRequest?: boolean;
  /** Fast path: message name and summary without building a tree. */
  peek(pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): Peek;
  decode(pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): DecodedFrame;
  /**
   * Optional fast path for filters: the values of `names` only (names this protocol never produces are left out),
   * exactly what `flattenFields(decode(pdu, direction, opts).tree)` holds for them. Callers go through
   * `extractFields` (codec/extract.ts), which falls back to that full decode for protocols without it.
   */
  extract?(pdu: Uint8Array, direction: Direction, names: readonly string[], opts?: DecodeOptions): FlatFields;
  /** Optional fast path for ingest: `peek` without the summary (message, pairing, malformed), same values. */
  classify?(pdu: Uint8Array, direction: Direction, opts?: DecodeOptions): Omit<Peek, 'summary'>;
  /**
   * Optional: what the decoding of a request's response needs from the request's bytes, which pairing passes on in
   * the response's DecodeOptions.context (HTTP: the method, for a HEAD's bodiless response, and the target, for
   * `http.api`). Protocols without it get only the request's message name there.
   */
  requestContext?(request: Uint8Array): Record<string, unknown> | undefined;
  /** Throws EncodeError naming the field at fault. */
  encode(message: string, direction: Direction, value: Doc, opts?: EncodeOptions): Uint8Array;
}

/**
 * Pairing requests we sent with the replies that come back, by the protocol's pairing keys (PROTOCOLS.md pairing
 * rules, the same lanes the session uses): a response closes the oldest open request of its lane.
 */
import { responseContext, type DecodedFrame, type Peek, type Protocol } from '../../../shared/codec/protocol';
import type { SendResult } from '../../../shared/api/contract';
import type { Direction } from '../../../shared/codec/protocol';

export interface SentRequest {
  message: string;
  /** Who sent it (a sequence step's index). */
  tag?: number;
  /** Protocol.requestContext of its bytes: what the reply's decoding needs of it. */
  context?: Record<string, unknown>;
}

export class PairBook {
  private open = new Map<string | number, SentRequest[]>();

  /** Registers what we sent; only requests open a lane. */
  sent(peek: Peek, tag?: number, context?: Record<string, unknown>): void {
    if (peek.pair.role !== 'request') return;
    const lane = laneOf(peek);
    const list = this.open.get(lane);
    const entry: SentRequest = { message: peek.message, ...(tag !== undefined ? { tag } : {}), ...(context ? { context } : {}) };
    if (list) list.push(entry); else this.open.set(lane, [entry]);
  }

  /** The request a received frame answers, if any (hodor's RUNNING keeps it open for the final answer). */
  answer(peek: Peek): SentRequest | undefined {
    if (peek.pair.role !== 'response') return undefined;
    const lane = laneOf(peek);
    const list = this.open.get(lane);
    if (!list?.length) return undefined;
    const req = peek.pair.more ? list[0] : list.shift()!;
    if (list.length === 0) this.open.delete(lane);
    return req;
  }
}

function laneOf(peek: Peek): string | number {
  return peek.pair.key ?? `fifo:${peek.pair.fifo ?? ''}`;
}

/** A frame that came back on a channel. */
export interface IncomingFrame {
  bytes: Uint8Array;
  /** Undefined when the protocol is unknown. */
  decoded?: DecodedFrame;
  /** The request of ours it answers. */
  answers?: SentRequest;
  /** Its index in the session, when recorded there. */
  frame?: number;
}

/** Where a sequence (or the UI) sends: a client session, or one direction of a proxied connection. */
export interface Channel {
  readonly protocol: Protocol | undefined;
  readonly variant?: string;
  /** The direction of what we send. */
  readonly direction: Direction;
  readonly isOpen: boolean;
  send(bytes: Uint8Array, tag?: number): SendResult;
  onFrame(listener: (f: IncomingFrame) => void): () => void;
  /** Settles when the channel can carry nothing more. */
  readonly closed: Promise<void>;
}

/** Registers the requests among PDUs we sent, with what their replies' decoding will need of them. */
export function noteSent(book: PairBook, protocol: Protocol, pdu: Uint8Array, direction: Direction, variant: string | undefined, tag?: number): void {
  book.sent(protocol.peek(pdu, direction, variant ? { variant } : undefined), tag, protocol.requestContext?.(pdu));
}

/**
 * Decodes a received PDU with what pairing knows (txlcn's `rok` payload depends on the request's action, an HTTP
 * response on its request's method and target).
 */
export function decodeAnswer(protocol: Protocol, pdu: Uint8Array, direction: Direction, book: PairBook, variant?: string): { decoded: DecodedFrame; answers?: SentRequest } {
  const peek = protocol.peek(pdu, direction, variant ? { variant } : undefined);
  const answers = book.answer(peek);
  const context = answers ? responseContext(answers.message, answers.context) : undefined;
  const decoded = protocol.decode(pdu, direction, { ...(variant ? { variant } : {}), ...(context ? { context } : {}) });
  return { decoded, ...(answers ? { answers } : {}) };
}

/**
 * One direction of a live connection as a sequence's channel: what we send is injected (at frame boundaries), and
 * what comes back is read from the session's frames of the other direction as they are recorded.
 */
import { StreamDeframer } from '../../../shared/codec/framing';
import type { SendResult } from '../../../shared/api/contract';
import type { Direction, Protocol } from '../../../shared/codec/protocol';
import type { Session } from '../session/session';
import { decodeAnswer, noteSent, PairBook, type Channel, type IncomingFrame } from './pairing';
import type { SessionAnnotations } from './session-annotations';

export interface InjectChannelOptions {
  connection: number;
  direction: Direction;
  protocol: Protocol | undefined;
  variant?: string;
  session: Session;
  annotations: SessionAnnotations;
  inject(bytes: Uint8Array): SendResult;
  isOpen(): boolean;
  closed: Promise<void>;
}

export class InjectChannel implements Channel {
  readonly direction: Direction;
  readonly protocol: Protocol | undefined;
  readonly variant?: string;
  readonly closed: Promise<void>;
  private book = new PairBook();
  private listeners = new Set<(f: IncomingFrame) => void>();
  /** Subscribed to the session's frames only while someone listens. */
  private off: (() => void) | undefined;

  constructor(private readonly opts: InjectChannelOptions) {
    this.direction = opts.direction;
    this.protocol = opts.protocol;
    this.variant = opts.variant;
    this.closed = opts.closed;
  }

  get isOpen(): boolean {
    return this.opts.isOpen();
  }

  send(bytes: Uint8Array, tag?: number): SendResult {
    if (this.protocol) {
      const d = new StreamDeframer(this.protocol.framer(this.direction, { variant: this.variant }));
      for (const pdu of d.push(bytes)) if (!pdu.skipped) noteSent(this.book, this.protocol, pdu.bytes, this.direction, this.variant, tag);
    }
    return this.opts.inject(bytes);
  }

  onFrame(listener: (f: IncomingFrame) => void): () => void {
    this.listeners.add(listener);
    this.off ??= this.subscribe();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) { this.off?.(); this.off = undefined; }
    };
  }

  private subscribe(): () => void {
    const { session: s, connection } = this.opts;
    const back: Direction = this.direction === 'c2s' ? 's2c' : 'c2s';
    return this.opts.annotations.onFrame((frame) => {
      if (s.index.connection(frame) !== connection || s.directionOf(frame) !== back) return;
      const bytes = s.bytes(frame);
      const f: IncomingFrame = this.protocol && !s.index.skipped(frame)
        ? { bytes, frame, ...decodeAnswer(this.protocol, bytes, back, this.book, this.variant) }
        : { bytes, frame };
      for (const l of this.listeners) l(f);
    });
  }
}

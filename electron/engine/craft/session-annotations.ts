/**
 * What the craft features know about a session's frames beyond the session itself: which frames Framescope
 * injected, modified, dropped or answered (marks), and where each connection's recorded streams stand relative to
 * frame boundaries (so an injection or intercept framing can start mid-stream without cutting a PDU in two).
 * Fed by the session's onFrame; one per session (a Clear starts a new one).
 */
import { toHex } from '../../../shared/codec/bytes';
import type { FrameMark } from '../../../shared/api/contract';
import type { Direction } from '../../../shared/codec/protocol';
import type { Session } from '../session/session';
import type { RelayMark } from '../proxy/relay';

interface Stream {
  /** Bytes covered by the frames recorded so far. */
  covered: number;
  /** Marks waiting for the frame that starts at their offset. */
  marks: { offset: number; mark: FrameMark }[];
}

type FrameListener = (frame: number) => void;

export class SessionAnnotations {
  /** By connection × 2 + direction (no string keys: this runs for every frame of a file being opened). */
  private streams = new Map<number, Stream>();
  private marks = new Map<number, FrameMark>();
  private listeners = new Set<FrameListener>();

  constructor(readonly session: Session) {}

  /** The session recorded a frame (its onFrame). */
  frameRecorded(frame: number): void {
    const i = this.session.index;
    const s = this.stream(i.connection(frame), i.direction(frame) === 0 ? 'c2s' : 's2c');
    const start = s.covered;
    s.covered += i.length(frame);
    if (s.marks.length > 0) {
      const hit = s.marks.findIndex((m) => m.offset >= start && m.offset < s.covered);
      if (hit >= 0) {
        this.marks.set(frame, s.marks[hit].mark);
        s.marks = s.marks.filter((m) => m.offset >= s.covered);
      }
    }
    for (const l of this.listeners) l(frame);
  }

  /** Call before recording marked bytes: the frame they start becomes marked. */
  expectMark(connection: number, direction: Direction, mark: FrameMark): void {
    const c = this.session.connection(connection);
    if (!c) return;
    this.stream(connection, direction).marks.push({ offset: c.bytes[direction], mark });
  }

  /** Everything recorded so far in the direction was cut into whole frames. */
  atBoundary(connection: number, direction: Direction): boolean {
    const c = this.session.connection(connection);
    if (!c) return false;
    return c.bytes[direction] === (this.streams.get(connection * 2 + (direction === 'c2s' ? 0 : 1))?.covered ?? 0);
  }

  mark(frame: number): FrameMark | undefined {
    return this.marks.get(frame);
  }

  /** Every frame as it is recorded (sequences reading replies of a proxied connection). */
  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private stream(connection: number, direction: Direction): Stream {
    const key = connection * 2 + (direction === 'c2s' ? 0 : 1);
    let s = this.streams.get(key);
    if (!s) { s = { covered: 0, marks: [] }; this.streams.set(key, s); }
    return s;
  }
}

const NOTES: Record<RelayMark['kind'], string> = {
  injected: 'injected by Framescope',
  modified: 'modified in the intercept queue before it was forwarded',
  dropped: 'held, then dropped: the peer never received it',
  answered: 'answered by a mock rule: the server never received it',
  mock: 'reply written by a mock rule',
};

export function frameMarkOf(m: RelayMark): FrameMark {
  return {
    kind: m.kind,
    note: m.note ?? NOTES[m.kind],
    ...(m.original ? { original: toHex(m.original) } : {}),
    forwarded: m.kind !== 'dropped' && m.kind !== 'answered',
  };
}

/**
 * Records connections Framescope itself holds (client sessions, mock responders) into the session, the pcapng spool
 * and the annotations, the way the proxy's recorder does for proxied ones. A connection stays with the session it
 * was opened in: after a Clear its late bytes are dropped with that session.
 */
import type { FrameMark } from '../../../shared/api/contract';
import type { Direction } from '../../../shared/codec/protocol';
import type { Endpoint } from '../../../shared/model/session';
import type { SessionSpool } from '../files/session-spool';
import type { ConnectionEventKind, Session } from '../session/session';
import { nowNs } from '../util/clock';
import type { SessionAnnotations } from './session-annotations';

export interface OpenSpec {
  source: 'craft' | 'mock';
  client: Endpoint;
  server: Endpoint;
  protocol?: string;
  variant?: string;
}

export interface ConnectionWriter {
  /** Returns the session's connection id. */
  open(spec: OpenSpec): number;
  /** Records bytes of one direction; returns the frame indices they completed. */
  data(connection: number, direction: Direction, bytes: Uint8Array, mark?: FrameMark): number[];
  event(connection: number, kind: ConnectionEventKind, detail?: string): void;
}

export interface WriterTarget {
  session: Session;
  annotations?: SessionAnnotations;
  spool?: SessionSpool;
}

/**
 * One writer for each end Framescope can hold: the composer's client sessions and the mock responders. When both
 * ends of one TCP connection are ours (the composer talking to one of our mock responders), the two opens describe
 * one connection, and it is recorded once: the second end to open is joined to the first (same session connection),
 * each direction is recorded by the end that sends it (a sender records its bytes as it writes them, before they can
 * arrive), and the receiving end is given the frames its bytes complete, found by stream offset. Events are
 * recorded once for the connection: each end's half-close (they are different FINs), the close when both ends
 * have closed.
 */
export function connectionWriters(target: () => WriterTarget): Record<OpenSpec['source'], ConnectionWriter> {
  const plain = connectionWriter(target);
  /** Connections opened through these writers and not yet closed. */
  const conns = new Map<number, EndsOf>();
  /** Connections with one end so far, by their client endpoint and server port. */
  const lonely = new Map<string, number>();

  const face = (end: OpenSpec['source']): ConnectionWriter => ({
    open(spec) {
      const key = endpointKey(spec.client, spec.server.port);
      const other = lonely.get(key);
      const c = other !== undefined ? conns.get(other) : undefined;
      if (other !== undefined && c && !c.ends.has(end)) {
        lonely.delete(key);
        c.ends.add(end);
        return other;
      }
      const connection = plain.open({ ...spec, source: end });
      conns.set(connection, { key, ends: new Set([end]), closed: new Set(), sent: { c2s: [], s2c: [] }, recorded: { c2s: 0, s2c: 0 }, received: { c2s: 0, s2c: 0 } });
      lonely.set(key, connection);
      return connection;
    },
    data(connection, direction, bytes, mark) {
      const c = conns.get(connection);
      if (!c) return plain.data(connection, direction, bytes, mark);
      if (SENDER[direction] === end) {
        const frames = plain.data(connection, direction, bytes, mark);
        c.recorded[direction] += bytes.length;
        // Kept for a receiving end of ours, which may still join (its accept can come after the first send).
        const queue = c.sent[direction];
        if (c.ends.size === 2 || queue.length < MAX_UNCLAIMED) for (const f of frames) queue.push({ frame: f, end: c.recorded[direction] });
        return frames;
      }
      if (c.ends.size < 2) return plain.data(connection, direction, bytes, mark);
      // The receiving end of a joined connection: the frames that end within what it has received so far.
      c.received[direction] += bytes.length;
      const queue = c.sent[direction];
      let n = 0;
      while (n < queue.length && queue[n].end <= c.received[direction]) n++;
      return queue.splice(0, n).map((f) => f.frame);
    },
    event(connection, kind, detail) {
      const c = conns.get(connection);
      if (!c || kind !== 'closed') { plain.event(connection, kind, detail); return; }
      c.closed.add(end);
      if (c.closed.size < c.ends.size) return;
      conns.delete(connection);
      if (lonely.get(c.key) === connection) lonely.delete(c.key);
      plain.event(connection, kind, detail);
    },
  });
  return { craft: face('craft'), mock: face('mock') };
}

/** The composer is the client end of a connection, a mock responder the server end: each sends one direction. */
const SENDER: Record<Direction, OpenSpec['source']> = { c2s: 'craft', s2c: 'mock' };
/** Frames of a lone end kept for a receiving end that may still join (it joins within a moment, if ever). */
const MAX_UNCLAIMED = 256;

interface EndsOf {
  key: string;
  /** The ends of ours: one, or both when the composer talks to our own mock responder. */
  ends: Set<OpenSpec['source']>;
  closed: Set<OpenSpec['source']>;
  /** Per direction, the frames its sender recorded and the stream offset each ends at, until the receiver has them. */
  sent: Record<Direction, Array<{ frame: number; end: number }>>;
  recorded: Record<Direction, number>;
  received: Record<Direction, number>;
}

/** The client endpoint as both ends see it (an IPv4 peer of a dual-stack socket is `::ffff:a.b.c.d`) and the server port. */
function endpointKey(client: Endpoint, serverPort: number): string {
  const host = client.host.startsWith('::ffff:') ? client.host.slice(7) : client.host;
  return `${host}:${client.port}>${serverPort}`;
}

/** `target` is asked on every open, so new connections go to whatever the current session is. */
export function connectionWriter(target: () => WriterTarget): ConnectionWriter {
  const opened = new Map<number, WriterTarget>();
  const live = (connection: number): WriterTarget | undefined => {
    const t = opened.get(connection);
    return t && t.session === target().session ? t : undefined;
  };
  return {
    open(spec) {
      const t = target();
      const time = nowNs();
      const id = t.session.openConnection({ ...spec, time });
      opened.set(id, t);
      t.spool?.open(id, spec.client, spec.server);
      t.spool?.record(id, { kind: 'upstream-connected' }, time);
      return id;
    },
    data(connection, direction, bytes, mark) {
      const t = live(connection);
      if (!t) return [];
      const time = nowNs();
      if (mark) t.annotations?.expectMark(connection, direction, mark);
      const before = t.session.frameCount;
      t.session.data(connection, direction, bytes, time);
      if (!mark || mark.forwarded) t.spool?.record(connection, { kind: 'data', direction, bytes }, time);
      const frames: number[] = [];
      for (let f = before; f < t.session.frameCount; f++) if (t.session.index.connection(f) === connection) frames.push(f);
      return frames;
    },
    event(connection, kind, detail) {
      const t = live(connection);
      if (!t) { if (kind === 'closed') opened.delete(connection); return; }
      const time = nowNs();
      t.session.connectionEvent(connection, kind, detail, time);
      if (kind === 'closed' || kind === 'reset' || kind === 'failed') {
        t.spool?.record(connection, kind === 'reset' ? { kind: 'reset', by: 'server', error: detail ?? '' } : { kind: 'closed' }, time);
      }
      if (kind === 'closed') opened.delete(connection);
    },
  };
}

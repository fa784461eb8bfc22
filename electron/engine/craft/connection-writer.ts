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

/**
 * The recorder of a proxy listener with craft features: the session recorder, plus frame marks (injected,
 * modified, dropped, answered), frame-boundary answers for the relay, and the mapping between the listener's
 * connection handles and the session's connection ids. Frames that never reached a peer stay out of the pcapng
 * spool, which holds what crossed the wire.
 */
import type { Direction } from '../../../shared/codec/protocol';
import type { ProxyConnectionInfo, ProxyRecorder } from '../proxy/proxy-listener';
import type { RelayRecord } from '../proxy/relay';
import { sessionRecorder } from '../proxy/session-recorder';
import type { Session } from '../session/session';
import { frameMarkOf, type SessionAnnotations } from './session-annotations';

export interface ListenerRecorderOptions {
  session: () => Session;
  annotations: () => SessionAnnotations;
  protocol: string;
  listenerId: string;
  /** Every record that crossed the wire (the spool, notices). */
  tap?: (connection: number, record: RelayRecord, time: bigint) => void;
}

export interface ListenerRecorder extends ProxyRecorder {
  /** The session connection id of a handle, while that session is current. */
  connectionOf(handle: number): number | undefined;
  /** The handle of a session connection id, while it is open. */
  handleOf(connection: number): number | undefined;
}

export function listenerRecorder(opts: ListenerRecorderOptions): ListenerRecorder {
  let opening = 0;
  const inner = sessionRecorder(opts.session, {
    protocol: opts.protocol,
    listenerId: opts.listenerId,
    tap: (conn, r, time) => {
      if (r.kind === 'open') opening = conn;
      if (r.kind === 'data' && r.mark && (r.mark.kind === 'dropped' || r.mark.kind === 'answered')) return;
      opts.tap?.(conn, r, time);
    },
  });
  const handles = new Map<number, { session: Session; connection: number }>();
  const current = (handle: number): { session: Session; connection: number } | undefined => {
    const h = handles.get(handle);
    return h && h.session === opts.session() ? h : undefined;
  };
  return {
    open(info: ProxyConnectionInfo) {
      const session = opts.session();
      const handle = inner.open(info);
      handles.set(handle, { session, connection: opening });
      return handle;
    },
    record(handle, r, time) {
      const h = current(handle);
      if (h && r.kind === 'data' && r.mark) opts.annotations().expectMark(h.connection, r.direction, frameMarkOf(r.mark));
      inner.record(handle, r, time);
      if (r.kind === 'closed') handles.delete(handle);
    },
    atBoundary(handle: number, direction: Direction) {
      const h = current(handle);
      return h ? opts.annotations().atBoundary(h.connection, direction) : false;
    },
    behind: inner.behind,
    whenCaughtUp: inner.whenCaughtUp,
    connectionOf: (handle) => current(handle)?.connection,
    handleOf(connection) {
      const session = opts.session();
      for (const [handle, h] of handles) if (h.connection === connection && h.session === session) return handle;
      return undefined;
    },
  };
}

/** Records proxied connections into a session: the glue between the relay's records and the session store. */
import type { Session } from '../session/session';
import type { ProxyConnectionInfo, ProxyRecorder } from './proxy-listener';
import type { RelayRecord } from './relay';

export interface SessionRecorderOptions {
  protocol: string;
  listenerId?: string;
  /** Also told about every record (the pcapng spool, the CLI's line printer). */
  tap?: (connection: number, record: RelayRecord, time: bigint) => void;
}

/**
 * `current` may be a getter, so a listener records new connections into whatever the current session is; a
 * connection stays with the session it was opened in (after Clear, its late records are dropped with that session).
 */
export function sessionRecorder(current: Session | (() => Session), opts: SessionRecorderOptions): ProxyRecorder {
  const sessionOf = typeof current === 'function' ? current : () => current;
  const opened = new Map<number, { session: Session; id: number }>();
  let nextHandle = 1;
  return {
    open(info: ProxyConnectionInfo): number {
      const session = sessionOf();
      const id = session.openConnection({ source: 'proxy', client: info.client, server: info.server, protocol: opts.protocol, listenerId: opts.listenerId, time: info.time });
      const handle = nextHandle++;
      opened.set(handle, { session, id });
      opts.tap?.(id, { kind: 'open' }, info.time);
      return handle;
    },
    record(handle, r, time) {
      const conn = opened.get(handle);
      if (!conn) return;
      const { session, id } = conn;
      if (session !== sessionOf()) { if (r.kind === 'closed') opened.delete(handle); return; }
      switch (r.kind) {
        // Relay data is never written to again (RelayRecord): the PDU store may write it without copying.
        case 'data': session.data(id, r.direction, r.bytes, time, true); break;
        case 'upstream-connected': session.connectionEvent(id, 'upstream-connected', undefined, time); break;
        case 'upstream-failed': session.connectionEvent(id, 'failed', `upstream unreachable: ${r.error}`, time); break;
        case 'half-close': session.connectionEvent(id, 'half-close', `${r.by} half-closed`, time); break;
        case 'reset': session.connectionEvent(id, 'reset', `${r.by} reset the connection: ${r.error}`, time); break;
        case 'error': session.connectionEvent(id, 'error', `${r.side}: ${r.error}`, time); break;
        case 'closed': session.connectionEvent(id, 'closed', undefined, time); opened.delete(handle); break;
        case 'open': break;
      }
      opts.tap?.(id, r, time);
    },
    behind: () => sessionOf().storeBehind,
    whenCaughtUp: (fn) => sessionOf().whenStoreCaughtUp(fn),
  };
}

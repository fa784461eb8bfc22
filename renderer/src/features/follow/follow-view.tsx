/**
 * Follow connection: one connection's frames as a two-sided timeline, the client's messages on the left and the
 * server's on the right, each with its time, size and summary; replies show how long they took.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactElement } from 'react';
import { useLiveQuery } from '../../hooks/use-live-query';
import { formatDelta, formatEndpoint, formatTime } from '../../lib/format';
import { useApp, useAppStore, useServices } from '../../stores/store';

const BUBBLE = 46;

export function FollowView(): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const connection = useApp((s) => s.followConnection);
  const selected = useApp((s) => s.selected);
  const frames = useLiveQuery(
    () => (connection === undefined ? Promise.resolve([]) : api.call('connection.frames', { connection })), [connection],
  );
  const conns = useLiveQuery(() => api.call('connections.list', {}), []);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = frames.data ?? [];
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => BUBBLE, overscan: 8 });

  const summary = conns.data?.find((c) => c.id === connection);

  return (
    <div className="follow" data-testid="follow-view">
      <div className="follow-head">
        <label className="follow-pick">Connection
          <select
            value={connection ?? ''} data-testid="follow-select"
            onChange={(e) => { const id = Number(e.target.value); if (id) store.getState().follow(id); }}
          >
            <option value="">choose…</option>
            {(conns.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>#{c.id} {c.protocol ?? '?'} {formatEndpoint(c.client)} ⇄ {formatEndpoint(c.server)}</option>
            ))}
          </select>
        </label>
        {summary ? (
          <div className="follow-sides">
            <span className="side client">Client {formatEndpoint(summary.client)}</span>
            <span className="dim">{summary.frames} frames · {summary.state}{summary.error ? ` · ${summary.error}` : ''}</span>
            <span className="side server">Server {formatEndpoint(summary.server)}</span>
          </div>
        ) : null}
      </div>
      {connection === undefined ? (
        <div className="pane-empty">Right-click a frame and choose “Follow connection”, or pick one above.</div>
      ) : (
        <div ref={scroller} className="follow-scroller" data-count={rows.length}>
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const r = rows[item.index];
              return (
                <div key={r.number} className={`follow-line ${r.direction}`} style={{ transform: `translateY(${item.start}px)` }}>
                  <div
                    className={`bubble proto-${r.protocol}${r.malformed ? ' malformed' : ''}${r.number === selected ? ' selected' : ''}`}
                    onClick={() => store.getState().selectFrame(r.number)} data-frame={r.number}
                  >
                    <div className="bubble-head">
                      <span className="mono">#{r.number}</span><b>{r.message}</b>
                      <span className="dim">{r.length} B · {formatTime(r.time)}{r.responseTime !== undefined ? ` · reply in ${formatDelta(r.responseTime)}` : ''}</span>
                    </div>
                    <div className="bubble-summary">{r.summary}</div>
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}

/** Connections: endpoints, protocol, frames, bytes each way, state and duration; a click follows one. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type ReactElement } from 'react';
import type { ConnectionSummary } from '../../../../shared/model/session';
import { useLiveQuery } from '../../hooks/use-live-query';
import { formatBytes, formatDurationNs, formatEndpoint } from '../../lib/format';
import { filterForConnection } from '../../lib/filter-text';
import { useAppStore, useServices } from '../../stores/store';
import { applyFilterText } from '../context-menu/frame-menu';

type SortKey = 'id' | 'protocol' | 'frames' | 'bytes' | 'state' | 'duration';

const GRID = '52px minmax(130px,1fr) minmax(130px,1fr) 70px 90px 70px 90px 90px 90px minmax(120px,1.2fr)';
const LINE = 22;

function duration(c: ConnectionSummary, now: number): number {
  return (c.closedAt ?? now) - c.openedAt;
}

export function ConnectionsPanel(): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const { data, error } = useLiveQuery(() => api.call('connections.list', {}), []);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'id', desc: false });
  const scroller = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => {
    const list = [...(data ?? [])];
    const now = Math.max(0, ...list.map((c) => c.closedAt ?? c.openedAt));
    const value = (c: ConnectionSummary): number | string => ({
      id: c.id, protocol: c.protocol ?? '', frames: c.frames, bytes: c.bytes.c2s + c.bytes.s2c, state: c.state, duration: duration(c, now),
    })[sort.key];
    list.sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const r = va < vb ? -1 : va > vb ? 1 : a.id - b.id;
      return sort.desc ? -r : r;
    });
    return { list, now };
  }, [data, sort]);

  const virtualizer = useVirtualizer({ count: rows.list.length, getScrollElement: () => scroller.current, estimateSize: () => LINE, overscan: 10 });

  const header = (key: SortKey | undefined, title: string, align?: string): ReactElement => (
    <div
      className={`cell ${align ?? ''}${key ? ' sortable' : ''}`}
      onClick={() => key && setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== 'id' && key !== 'protocol' && key !== 'state' }))}
    >{title}{key && sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}</div>
  );

  if (error) return <div className="pane-empty error">{error}</div>;
  if (rows.list.length === 0) return <div className="pane-empty">No connections yet.</div>;

  return (
    <div className="table-pane" data-testid="connections-panel">
      <div className="table-header" style={{ gridTemplateColumns: GRID }}>
        {header('id', '#', 'right')}{header(undefined, 'Client')}{header(undefined, 'Server')}{header('protocol', 'Protocol')}
        {header('state', 'State')}{header('frames', 'Frames', 'right')}{header('bytes', 'Bytes →', 'right')}{header(undefined, 'Bytes ←', 'right')}
        {header('duration', 'Duration', 'right')}{header(undefined, 'Note')}
      </div>
      <div ref={scroller} className="table-scroller" data-count={rows.list.length}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const c = rows.list[item.index];
            return (
              <div
                key={c.id} className={`table-row proto-${c.protocol ?? 'other'}`} style={{ gridTemplateColumns: GRID, transform: `translateY(${item.start}px)` }}
                title="Click to follow this connection" data-connection={c.id}
                onClick={() => { applyFilterText(store, filterForConnection(c.id)); store.getState().follow(c.id); }}
              >
                <div className="cell right">{c.id}</div>
                <div className="cell mono">{formatEndpoint(c.client)}</div>
                <div className="cell mono">{formatEndpoint(c.server)}</div>
                <div className="cell">{c.protocol ?? '—'}</div>
                <div className={`cell state-${c.state}`}>{c.state}</div>
                <div className="cell right">{c.frames}</div>
                <div className="cell right">{formatBytes(c.bytes.c2s)}</div>
                <div className="cell right">{formatBytes(c.bytes.s2c)}</div>
                <div className="cell right">{formatDurationNs(duration(c, rows.now))}</div>
                <div className="cell dim" title={c.error}>{c.error ?? (c.listenerId ? `via ${c.listenerId}` : c.source)}</div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

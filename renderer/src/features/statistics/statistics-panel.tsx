/** Statistics per message type: count, bytes, and the paired response time (p50, p95, max). */
import { useMemo, type ReactElement } from 'react';
import { useLiveQuery } from '../../hooks/use-live-query';
import { formatBytes, formatDelta } from '../../lib/format';
import { quote } from '../../lib/filter-text';
import { useAppStore, useServices } from '../../stores/store';
import { applyFilterText } from '../context-menu/frame-menu';

export function StatisticsPanel(): ReactElement {
  const store = useAppStore();
  const { api } = useServices();
  const { data, error } = useLiveQuery(() => api.call('stats.messages', {}), []);
  const rows = useMemo(
    () => [...(data ?? [])].sort((a, b) => a.protocol.localeCompare(b.protocol) || b.count - a.count || a.message.localeCompare(b.message)),
    [data],
  );
  const totals = rows.reduce((t, r) => ({ count: t.count + r.count, bytes: t.bytes + r.bytes }), { count: 0, bytes: 0 });

  if (error) return <div className="pane-empty error">{error}</div>;
  if (rows.length === 0) return <div className="pane-empty">No messages yet.</div>;

  return (
    <div className="table-pane scroll" data-testid="statistics-panel">
      <table className="stats-table">
        <thead>
          <tr><th>Protocol</th><th>Message</th><th className="num">Count</th><th className="num">%</th><th className="num">Bytes</th>
            <th className="num">Replies</th><th className="num">p50</th><th className="num">p95</th><th className="num">max</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.protocol}/${r.message}`} className={`proto-${r.protocol}`} title="Click to filter on this message"
              onClick={() => applyFilterText(store, `fs.protocol == ${quote(r.protocol)} && fs.message == ${quote(r.message)}`)}
            >
              <td>{r.protocol}</td>
              <td className="mono">{r.message}</td>
              <td className="num">{r.count}</td>
              <td className="num dim">{totals.count ? ((100 * r.count) / totals.count).toFixed(1) : '0'}</td>
              <td className="num">{formatBytes(r.bytes)}</td>
              <td className="num">{r.responseTime?.count ?? ''}</td>
              <td className="num">{formatDelta(r.responseTime?.p50)}</td>
              <td className="num">{formatDelta(r.responseTime?.p95)}</td>
              <td className="num">{formatDelta(r.responseTime?.max)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot><tr><td colSpan={2}>Total</td><td className="num">{totals.count}</td><td /><td className="num">{formatBytes(totals.bytes)}</td><td colSpan={4} /></tr></tfoot>
      </table>
    </div>
  );
}

/**
 * TX-LCN transactions: the session's transaction groups (`txlcn.groupId`) on the left; on the right the timeline of
 * the selected group across connections — one lane per connection (TxClients of several services and the
 * TxManager), each message an arrow in its lane, with action, state and unit. A click selects the frame.
 */
import { useEffect, useMemo, useState, type ReactElement } from 'react';
import type { TxlcnGroup, TxlcnGroupMessage } from '../../../../shared/api/contract';
import { useLiveQuery } from '../../hooks/use-live-query';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { applyFilterText } from '../context-menu/frame-menu';
import './transactions.css';

const ACTION_NAMES: Record<string, string> = {
  cg: 'create group', atg: 'join group', clg: 'notify group', nt: 'notify unit', ats: 'ask state', wc: 'write compensation',
  rok: 'OK', rex: 'error', gal: 'get aspect log', ic: 'init client', nc: 'connect', h: 'heartbeat',
};

function ms(seconds: number): string {
  const v = seconds * 1000;
  return v < 10 ? `${v.toFixed(2)} ms` : v < 1000 ? `${v.toFixed(1)} ms` : `${(v / 1000).toFixed(3)} s`;
}

/** The group's lanes: connections in order of first appearance. */
export function lanes(group: TxlcnGroup): number[] {
  const out: number[] = [];
  for (const m of group.messages) if (!out.includes(m.connection)) out.push(m.connection);
  return out;
}

/** A display filter that shows the group's frames (replies of TxClients carry no group id: their numbers). */
export function groupFilter(group: TxlcnGroup): string {
  const q = JSON.stringify(group.groupId);
  const replies = group.messages.filter((m) => m.action === 'rok' || m.action === 'rex').map((m) => `frame.number == ${m.number}`);
  return [`txlcn.groupId == ${q}`, `txlcn.params.groupId == ${q}`, ...replies].join(' || ');
}

function GroupList({ groups, selected, onSelect }: { groups: TxlcnGroup[]; selected?: string; onSelect(id: string): void }): ReactElement {
  return (
    <div className="tx-groups" role="listbox" aria-label="Transaction groups" data-testid="tx-groups">
      <div className="tx-groups-head"><span>Group</span><span className="num">Msgs</span><span className="num">Conns</span><span>Outcome</span></div>
      <div className="tx-groups-body">
        {groups.map((g) => (
          <div
            key={g.groupId} role="option" aria-selected={g.groupId === selected} className={`tx-group${g.groupId === selected ? ' selected' : ''}`}
            onClick={() => onSelect(g.groupId)} data-group={g.groupId} title={`${g.groupId}: ${g.messages.length} messages over ${g.connections.length} connections, ${ms(g.last - g.first)}`}
          >
            <span className="mono tx-id">{g.groupId}</span>
            <span className="num">{g.messages.length}</span>
            <span className="num">{g.connections.length}</span>
            <span className={`tx-outcome ${g.outcome}`}>{g.outcome}</span>
          </div>
        ))}
      </div>
    </div>
  );
}

function Timeline({ group, endpoints }: { group: TxlcnGroup; endpoints: Map<number, string> }): ReactElement {
  const store = useAppStore();
  const selected = useApp((s) => s.selected);
  const laneList = useMemo(() => lanes(group), [group]);
  const grid = `56px 86px ${laneList.map(() => '64px').join(' ')} 120px minmax(120px, 1fr) minmax(90px, 0.8fr)`;
  const row = (m: TxlcnGroupMessage): ReactElement => (
    <div
      key={m.number} className={`tx-row${m.number === selected ? ' selected' : ''}${m.action === 'rex' ? ' error' : ''}`} style={{ gridTemplateColumns: grid }}
      onClick={() => store.getState().selectFrame(m.number)} data-frame={m.number} title={`Frame ${m.number}: click to show it`}
    >
      <span className="num">{m.number}</span>
      <span className="num dim">+{ms(m.time - group.first)}</span>
      {laneList.map((c) => (
        <span key={c} className="tx-lane">{c === m.connection ? <span className={`tx-arrow ${m.direction}`} title={m.direction === 'c2s' ? 'TxClient → TxManager' : 'TxManager → TxClient'}>{m.direction === 'c2s' ? '→' : '←'}</span> : null}</span>
      ))}
      <span><b className="mono">{m.action}</b> <span className="dim">{ACTION_NAMES[m.action] ?? ''}</span></span>
      <span className={`tx-state${/rollback|error/.test(m.state ?? '') ? ' bad' : /commit|ok/.test(m.state ?? '') ? ' good' : ''}`}>{m.request ? `${m.state ?? ''} (to ${m.request})` : (m.state ?? '')}</span>
      <span className="mono dim tx-unit" title={m.unitId}>{m.unitId ?? ''}</span>
    </div>
  );
  return (
    <div className="tx-timeline" data-testid="tx-timeline">
      <div className="tx-title">
        <span>Group <b className="mono">{group.groupId}</b> · {group.messages.length} message{group.messages.length === 1 ? '' : 's'} · {group.connections.length} connection{group.connections.length === 1 ? '' : 's'} · {ms(group.last - group.first)}</span>
        <span className="spacer" />
        <button className="small-button" onClick={() => applyFilterText(store, groupFilter(group))} data-testid="tx-filter">Filter on this group</button>
      </div>
      <div className="tx-head" style={{ gridTemplateColumns: grid }}>
        <span className="num">No.</span><span className="num">Time</span>
        {laneList.map((c) => <span key={c} className="tx-lane-head" title={endpoints.get(c) ?? `connection ${c}`}>#{c}</span>)}
        <span>Message</span><span>State</span><span>Unit</span>
      </div>
      <div className="tx-body">{group.messages.map(row)}</div>
    </div>
  );
}

export function TransactionsPanel(): ReactElement {
  const { api } = useServices();
  const { data, error } = useLiveQuery(() => api.call('txlcn.groups', {}), []);
  const conns = useLiveQuery(() => api.call('connections.list', {}), []);
  const [selected, setSelected] = useState<string | undefined>();
  const groups = useMemo(() => [...(data ?? [])].reverse(), [data]);
  const endpoints = useMemo(() => new Map((conns.data ?? []).map((c) => [c.id, `#${c.id} ${c.client.host}:${c.client.port} → ${c.server.host}:${c.server.port}`])), [conns.data]);
  useEffect(() => { if (groups.length && !groups.some((g) => g.groupId === selected)) setSelected(groups[0].groupId); }, [groups, selected]);

  if (error) return <div className="pane-empty error">{error}</div>;
  if (!data) return <div className="pane-empty">Reading transaction groups…</div>;
  if (groups.length === 0) return <div className="pane-empty">No TX-LCN transaction groups in this session (frames with a <span className="mono">txlcn.groupId</span>).</div>;
  const group = groups.find((g) => g.groupId === selected) ?? groups[0];
  return (
    <div className="tx-panel" data-testid="transactions-panel">
      <GroupList groups={groups} selected={group.groupId} onSelect={setSelected} />
      <Timeline group={group} endpoints={endpoints} />
    </div>
  );
}

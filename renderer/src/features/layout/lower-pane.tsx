/** The lower half: the selected frame (tree | bytes), connections, statistics, follow connection. */
import type { ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';
import type { LowerTab } from '../../stores/ui-slice';
import { ConnectionsPanel } from '../connections/connections-panel';
import { FieldTree } from '../field-tree/field-tree';
import { FollowView } from '../follow/follow-view';
import { StatisticsPanel } from '../statistics/statistics-panel';
import { CRAFT_TABS, CraftTabBody, CraftTabCount } from '../intercept/craft-tabs';
import { TransactionsPanel } from '../transactions/transactions-panel';
import { HexPane } from '../data-sources/hex-pane';

const TABS: { id: LowerTab; title: string }[] = [
  { id: 'packet', title: 'Frame' },
  { id: 'connections', title: 'Connections' },
  { id: 'statistics', title: 'Statistics' },
  { id: 'follow', title: 'Follow connection' },
  { id: 'transactions', title: 'Transactions' },
  ...CRAFT_TABS,
];

export function LowerPane(): ReactElement {
  const store = useAppStore();
  const tab = useApp((s) => s.lowerTab);
  const connections = useApp((s) => s.connections);
  return (
    <section className="lower">
      <nav className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id} role="tab" aria-selected={tab === t.id} className={`tab${tab === t.id ? ' active' : ''}`}
            onClick={() => store.getState().setLowerTab(t.id)} data-testid={`tab-${t.id}`}
          >
            {t.title}{t.id === 'connections' && connections > 0 ? <span className="tab-count">{connections}</span> : null}<CraftTabCount tab={t.id} />
          </button>
        ))}
      </nav>
      <div className="tab-body">
        {tab === 'packet' ? (
          <div className="packet-panes">
            <div className="tree-pane"><FieldTree /></div>
            <div className="hex-pane"><HexPane /></div>
          </div>
        ) : CRAFT_TABS.some((t) => t.id === tab) ? <CraftTabBody tab={tab} /> : tab === 'connections' ? <ConnectionsPanel /> : tab === 'statistics' ? <StatisticsPanel /> : tab === 'transactions' ? <TransactionsPanel /> : <FollowView />}
      </div>
    </section>
  );
}

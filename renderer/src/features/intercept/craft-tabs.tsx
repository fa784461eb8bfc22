/** The lower pane's crafting tabs: intercept queue, mock responders, sequences, chaos (with their counts). */
import { lazy, Suspense, type ReactElement } from 'react';
import { useApp } from '../../stores/store';
import type { LowerTab } from '../../stores/ui-slice';

// Loaded on first use: the mock and sequence panels bring the protocol declarations.
const InterceptPanel = lazy(() => import('./intercept-panel').then((m) => ({ default: m.InterceptPanel })));
const MockPanel = lazy(() => import('../mock/mock-panel').then((m) => ({ default: m.MockPanel })));
const SequencesPanel = lazy(() => import('../sequences/sequences-panel').then((m) => ({ default: m.SequencesPanel })));
const ChaosPanel = lazy(() => import('../chaos/chaos-panel').then((m) => ({ default: m.ChaosPanel })));

export const CRAFT_TABS: { id: LowerTab; title: string }[] = [
  { id: 'intercept', title: 'Intercept' },
  { id: 'mocks', title: 'Mocks' },
  { id: 'sequences', title: 'Sequences' },
  { id: 'chaos', title: 'Chaos' },
];

export function CraftTabCount({ tab }: { tab: LowerTab }): ReactElement | null {
  const n = useApp((s) => (tab === 'intercept' ? s.held.length : tab === 'mocks' ? s.unanswered.length : tab === 'sequences' ? s.runs.filter((r) => r.state === 'running').length : 0));
  if (n === 0) return null;
  return <span className={`tab-count${tab === 'intercept' ? ' attention' : ''}`} data-testid={`tab-count-${tab}`}>{n}</span>;
}

export function CraftTabBody({ tab }: { tab: LowerTab }): ReactElement | null {
  const body = tab === 'intercept' ? <InterceptPanel /> : tab === 'mocks' ? <MockPanel /> : tab === 'sequences' ? <SequencesPanel /> : tab === 'chaos' ? <ChaosPanel /> : null;
  return <Suspense fallback={<div className="pane-empty">Loading…</div>}>{body}</Suspense>;
}

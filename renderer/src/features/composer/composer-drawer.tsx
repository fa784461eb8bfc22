/** The composer drawer, loaded on first open (it brings the protocol declarations; Monaco comes later still). */
import { lazy, Suspense, type ReactElement } from 'react';
import { useApp } from '../../stores/store';
import './composer-drawer.css';

const Composer = lazy(() => import('./composer').then((m) => ({ default: m.Composer })));

export function ComposerDrawer(): ReactElement | null {
  const open = useApp((s) => s.composer !== undefined);
  if (!open) return null;
  return <Suspense fallback={<aside className="composer-loading">Loading the composer…</aside>}><Composer /></Suspense>;
}

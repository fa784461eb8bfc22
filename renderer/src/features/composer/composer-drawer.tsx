/** The composer drawer, loaded on first open (it brings the protocol declarations; Monaco comes later still). */
import { lazy, Suspense, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent, type ReactElement } from 'react';
import { useApp, useAppStore } from '../../stores/store';
import { MIN_COMPOSER_WIDTH, MIN_LIST_WIDTH, SPLITTER_WIDTH } from '../../stores/ui-slice';
import { dragSplitter } from '../layout/splitter';
import './composer-drawer.css';

const Composer = lazy(() => import('./composer').then((m) => ({ default: m.Composer })));

/** One arrow-key step of the splitter. */
const KEY_STEP = 24;

export function ComposerDrawer(): ReactElement | null {
  const open = useApp((s) => s.composer !== undefined);
  if (!open) return null;
  return (
    <>
      <ComposerSplitter />
      <Suspense fallback={<aside className="composer-loading">Loading the composer…</aside>}><Composer /></Suspense>
    </>
  );
}

/**
 * The bar between the frame list and the composer: drag it (or focus it and use ← →) to give either more room;
 * a double click goes back to the default width. The width is kept for the next time.
 */
function ComposerSplitter(): ReactElement {
  const store = useAppStore();
  const widthNow = (bar: HTMLElement): number => bar.nextElementSibling?.getBoundingClientRect().width ?? MIN_COMPOSER_WIDTH;
  const clamp = (bar: HTMLElement, width: number): number => {
    const room = bar.parentElement?.getBoundingClientRect().width ?? width + MIN_LIST_WIDTH + SPLITTER_WIDTH;
    return Math.max(MIN_COMPOSER_WIDTH, Math.min(width, room - MIN_LIST_WIDTH - SPLITTER_WIDTH));
  };
  const onMouseDown = (e: ReactMouseEvent<HTMLDivElement>): void => {
    const bar = e.currentTarget;
    const right = bar.parentElement?.getBoundingClientRect().right ?? window.innerWidth;
    dragSplitter(e, 'resizing-columns', (ev) => store.getState().setComposerWidth(clamp(bar, right - ev.clientX)));
  };
  const onKeyDown = (e: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const bar = e.currentTarget;
    store.getState().setComposerWidth(clamp(bar, widthNow(bar) + (e.key === 'ArrowLeft' ? KEY_STEP : -KEY_STEP)));
  };
  return (
    <div
      className="splitter-v" role="separator" aria-orientation="vertical" aria-label="Resize the composer" tabIndex={0}
      title="Drag to resize the composer (double-click: default width)" data-testid="composer-splitter"
      onMouseDown={onMouseDown} onKeyDown={onKeyDown} onDoubleClick={() => store.getState().setComposerWidth(undefined)}
    />
  );
}

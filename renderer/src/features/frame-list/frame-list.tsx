/**
 * The frame list: virtualised over any number of rows (lib/scaled-window.ts), rows fetched by page from the
 * engine's view, keyboard navigation, and auto-scroll that follows live traffic until the user scrolls back.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { FrameRow } from '../../../../shared/model/session';
import { rowWindow, scrollTopFromVirtual, virtualTopFor, virtualTopFromScroll } from '../../lib/scaled-window';
import { useApp, useAppStore, useServices } from '../../stores/store';
import { frameMenu } from '../context-menu/frame-menu';
import { COLUMNS, GRID_TEMPLATE, rowClass } from './columns';

export const ROW_HEIGHT = 22;

const KEYS: Record<string, 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'> = {
  ArrowUp: 'up', ArrowDown: 'down', PageUp: 'pageUp', PageDown: 'pageDown', Home: 'home', End: 'end',
};

export function FrameList(): ReactElement {
  const store = useAppStore();
  const services = useServices();
  const count = useApp((s) => s.count);
  // A filter that matches none of the frames says so, rather than leaving a blank list.
  const noMatch = useApp((s) => (s.count === 0 && s.total > 0 && s.appliedFilter !== '' ? s.appliedFilter : undefined));
  const rows = useApp((s) => s.rows);
  const version = useApp((s) => s.rowsVersion);
  const selected = useApp((s) => s.selected);
  const selectedIndex = useApp((s) => s.selectedIndex);
  const autoScroll = useApp((s) => s.autoScroll);
  const scroller = useRef<HTMLDivElement>(null);
  const [viewportHeight, setViewportHeight] = useState(400);
  /** Position in row space: the truth, scrollTop follows it (see lib/scaled-window.ts). */
  const [virtualTop, setVirtualTop] = useState(0);
  const position = useRef(0);
  /** The scrollTop we set ourselves, so our own scrolling is not mistaken for the user's. */
  const programmatic = useRef<number | undefined>(undefined);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setViewportHeight(el.clientHeight));
    observer.observe(el);
    setViewportHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const geometry = { count, rowHeight: ROW_HEIGHT, viewportHeight };
  const win = rowWindow({ ...geometry, virtualTop });

  useEffect(() => { rows.ensure(win.first, win.last); }, [rows, win.first, win.last, version]);

  const scrollTo = (target: number): void => {
    const el = scroller.current;
    if (!el) return;
    const g = { count: store.getState().count, rowHeight: ROW_HEIGHT, viewportHeight: el.clientHeight };
    const v = Math.max(0, Math.min(target, g.count * ROW_HEIGHT - g.viewportHeight));
    position.current = v;
    setVirtualTop(v);
    el.scrollTop = scrollTopFromVirtual(g, v);
    programmatic.current = el.scrollTop;
  };

  // A new view (another filter): start at its top, unless following; the selected frame is brought back below.
  useLayoutEffect(() => {
    if (!store.getState().autoScroll) scrollTo(0);
  }, [rows]);

  // Follow live traffic. Only these inputs move the list; the position itself must not.
  useLayoutEffect(() => {
    if (autoScroll && count > 0) scrollTo(virtualTopFor({ ...geometry, virtualTop: position.current }, count - 1, 'end'));
  }, [count, autoScroll, viewportHeight]);

  // Keep the selected row in view when the keyboard moves it.
  useLayoutEffect(() => {
    if (selectedIndex === undefined) return;
    const v = virtualTopFor({ ...geometry, virtualTop: position.current }, selectedIndex, 'auto');
    if (v !== position.current) scrollTo(v);
  }, [selectedIndex]);

  // Scaled (millions of rows), a wheel notch would skip rows by the hundred: scroll row space by the wheel's delta.
  useEffect(() => {
    const el = scroller.current!;
    const onWheel = (e: globalThis.WheelEvent): void => {
      if (e.deltaY < 0 && store.getState().autoScroll) store.getState().setAutoScroll(false);
      const g = { count: store.getState().count, rowHeight: ROW_HEIGHT, viewportHeight: el.clientHeight };
      if (rowWindow({ ...g, virtualTop: 0 }).scale === 1) return;
      e.preventDefault();
      const delta = e.deltaMode === 1 ? e.deltaY * ROW_HEIGHT : e.deltaMode === 2 ? e.deltaY * g.viewportHeight : e.deltaY;
      scrollTo(position.current + delta);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [store]);

  // A new view (filter applied): find the selected frame's index among the rows once they are loaded.
  useEffect(() => {
    if (selected === undefined || selectedIndex !== undefined) return;
    const i = rows.indexOf(selected);
    if (i !== undefined) store.setState({ selectedIndex: i });
  }, [rows, version, selected, selectedIndex, store]);

  const onScroll = (): void => {
    const el = scroller.current!;
    if (programmatic.current !== undefined && Math.abs(el.scrollTop - programmatic.current) <= 1) return;
    programmatic.current = undefined;
    const v = virtualTopFromScroll({ ...geometry, viewportHeight: el.clientHeight }, el.scrollTop);
    // The user scrolled back: stop following new frames. A list that shrank (a filter with fewer rows) clamps
    // scrollTop too, but leaves it at the bottom: that is no scrolling back.
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
    if (v < position.current - 1 && !atBottom && store.getState().autoScroll) store.getState().setAutoScroll(false);
    position.current = v;
    setVirtualTop(v);
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    const move = KEYS[e.key];
    if (!move) return;
    e.preventDefault();
    store.getState().moveSelection(move, Math.floor(viewportHeight / ROW_HEIGHT));
  };

  const items: ReactElement[] = [];
  for (let i = win.first; i <= win.last; i++) {
    const row = rows.row(i);
    const top = win.firstOffset + (i - win.first) * ROW_HEIGHT;
    items.push(row
      ? <Row key={i} index={i} row={row} top={top} selected={row.number === selected}
          onSelect={() => store.getState().selectFrame(row.number, i)}
          onMenu={(x, y) => {
            store.getState().selectFrame(row.number, i);
            store.getState().openMenu({ x, y, items: frameMenu(store, services, row) });
          }} />
      : <div key={i} className="frame-row loading" style={{ transform: `translateY(${top}px)` }} aria-hidden="true"><span>…</span></div>);
  }

  return (
    <div className="frame-list" role="grid" aria-label="Frames" aria-rowcount={count}>
      <div className="frame-header" role="row" style={{ gridTemplateColumns: GRID_TEMPLATE }}>
        {COLUMNS.map((c) => <div key={c.id} role="columnheader" className={`cell ${c.align ?? ''}`} title={c.tooltip}>{c.title}</div>)}
      </div>
      {noMatch !== undefined ? <div className="pane-empty" data-testid="no-match">No frame matches <code>{noMatch}</code>.</div> : null}
      <div
        ref={scroller} className="frame-scroller" tabIndex={0} onScroll={onScroll} onKeyDown={onKeyDown}
        data-testid="frame-scroller"
      >
        <div className="frame-layer" style={{ height: viewportHeight, marginBottom: -viewportHeight }}>{items}</div>
        <div style={{ height: win.spacerHeight }} />
      </div>
    </div>
  );
}

interface RowProps {
  index: number;
  row: FrameRow;
  top: number;
  selected: boolean;
  onSelect(): void;
  onMenu(x: number, y: number): void;
}

function Row({ index, row, top, selected, onSelect, onMenu }: RowProps): ReactElement {
  return (
    <div
      className={rowClass(row, selected)} role="row" aria-rowindex={index + 1} aria-selected={selected}
      data-frame={row.number} style={{ transform: `translateY(${top}px)`, gridTemplateColumns: GRID_TEMPLATE }}
      onMouseDown={(e) => { if (e.button === 0) onSelect(); }}
      onContextMenu={(e) => { e.preventDefault(); onMenu(e.clientX, e.clientY); }}
    >
      {COLUMNS.map((c) => (
        <div key={c.id} role="gridcell" className={`cell col-${c.id} ${c.align ?? ''}`}>{c.text(row)}</div>
      ))}
    </div>
  );
}

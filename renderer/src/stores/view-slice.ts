/**
 * The frame list's view: a filtered view held by the engine, its counts, the row cache over it, the selection and
 * auto-scroll. Frames arrive as batched `session.changed` events; each one extends the view (`view.update`) and
 * marks the cached rows stale, so 10,000 frames a second cost the renderer about 20 small requests a second.
 */
import type { FilterError } from '../../../shared/api/contract';
import type { FrameRow } from '../../../shared/model/session';
import { RowCache } from '../lib/row-cache';
import type { SliceCreator } from './store';

export interface ViewSlice {
  viewId?: number;
  /** Rows in the view, and frames in the session when the view was last extended. */
  count: number;
  total: number;
  appliedFilter: string;
  /** Bumps when the session is replaced (clear, open): frame numbers start again. */
  generation: number;
  rows: RowCache;
  /** Bumps whenever rows arrive: the list re-reads the cache. */
  rowsVersion: number;
  autoScroll: boolean;
  /** Selected frame number, and its index in the current view when known. */
  selected?: number;
  selectedIndex?: number;
  /** Builds a view for the applied filter (startup, reconnect, a replaced session). */
  rebuildView(): Promise<void>;
  /** Applies a filter: answers its error instead when it does not compile. */
  applyFilter(filter: string): Promise<FilterError | undefined>;
  /** `session.changed`: extends the view. */
  refreshView(): Promise<void>;
  /** The session was cleared or replaced by a file. */
  sessionReplaced(): Promise<void>;
  selectIndex(index: number): Promise<void>;
  selectFrame(number: number, index?: number): void;
  moveSelection(to: 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end', pageRows: number): void;
  setAutoScroll(on: boolean): void;
}

/** Rows fetched ahead at the bottom when following live traffic: more than a tall screen shows. */
const TAIL_ROWS = 80;

export const createViewSlice: SliceCreator<ViewSlice> = (set, get, { api, decoder }) => {
  let refreshing = false;
  let again = false;

  const newCache = (viewId: number): RowCache => new RowCache(
    (start, count) => api.call('view.rows', { viewId, start, count }),
    { onLoad: () => set({ rowsVersion: get().rowsVersion + 1 }), onError: (e) => get().notify('error', `Rows: ${e.message}`) },
  );

  const replaceView = async (filter: string): Promise<FilterError | undefined> => {
    const result = await api.call('view.create', { filter });
    if ('error' in result) return result.error;
    const old = get().viewId;
    get().rows.dispose();
    set({
      viewId: result.viewId, count: result.count, total: result.total, appliedFilter: filter,
      rows: newCache(result.viewId), rowsVersion: get().rowsVersion + 1, selectedIndex: undefined,
    });
    if (old !== undefined && old !== result.viewId) void api.call('view.release', { viewId: old }).catch(() => undefined);
    // The selected frame may be in the new view: find its index when its row is loaded (FrameList does).
    return undefined;
  };

  return {
    count: 0,
    total: 0,
    appliedFilter: '',
    generation: 0,
    rows: new RowCache(async () => []),
    rowsVersion: 0,
    autoScroll: true,

    async rebuildView() {
      const error = await replaceView(get().appliedFilter);
      if (error) await replaceView('');
    },

    async applyFilter(filter) {
      const error = await get().attempt('Filter', () => replaceView(filter));
      if (error) return error;
      get().pushHistory(filter);
      return undefined;
    },

    async refreshView() {
      if (refreshing) { again = true; return; }
      refreshing = true;
      try {
        do {
          again = false;
          const { viewId, total } = get();
          if (viewId === undefined) return;
          let r;
          try {
            r = await api.call('view.update', { viewId });
          } catch {
            // The engine dropped its views: the session was replaced (cleared elsewhere, a file opened).
            await get().sessionReplaced();
            return;
          }
          if (r.total < total) { await get().sessionReplaced(); return; }
          const rows = get().rows;
          rows.markStale();
          // Following live traffic: fetch the new tail first, so it appears as rows and not as placeholders.
          if (get().autoScroll && r.count > get().count) await rows.fill(Math.max(0, r.count - TAIL_ROWS), r.count - 1).catch(() => undefined);
          if (get().viewId !== viewId) return;
          set({ count: r.count, total: r.total, rowsVersion: get().rowsVersion + 1 });
        } while (again);
      } finally {
        refreshing = false;
      }
    },

    async sessionReplaced() {
      decoder.clear();
      // Connection ids start over with the session: a followed id would now name some other connection.
      set({ generation: get().generation + 1, selected: undefined, selectedIndex: undefined, followConnection: undefined });
      get().clearDetail();
      await get().rebuildView();
    },

    async selectIndex(index) {
      const { count, rows, viewId } = get();
      if (count === 0 || viewId === undefined) return;
      const i = Math.max(0, Math.min(count - 1, index));
      set({ selectedIndex: i });
      let row: FrameRow | undefined = rows.row(i);
      if (!row) row = (await api.call('view.rows', { viewId, start: i, count: 1 }))[0];
      if (row && get().selectedIndex === i) get().selectFrame(row.number, i);
    },

    selectFrame(number, index) {
      set({ selected: number, ...(index !== undefined ? { selectedIndex: index } : {}) });
      void get().loadDetail(number);
    },

    moveSelection(to, pageRows) {
      const { selectedIndex, count } = get();
      if (count === 0) return;
      const at = selectedIndex ?? -1;
      const page = Math.max(1, pageRows - 1);
      const next = {
        up: Math.max(0, at - 1), down: at + 1, pageUp: Math.max(0, at - page), pageDown: at + page, home: 0, end: count - 1,
      }[to];
      // Moving up means reading back: stop following new frames (Wireshark stops too when you scroll away).
      if (to === 'up' || to === 'pageUp' || to === 'home') set({ autoScroll: false });
      void get().selectIndex(Math.min(count - 1, next));
    },

    setAutoScroll(autoScroll) {
      set({ autoScroll });
    },
  };
};

/** The filter bar: the text being typed, its live check, history and saved filter buttons (kept in localStorage). */
import type { FilterError } from '../../../shared/api/contract';
import { loadJson, saveJson } from './services';
import type { SliceCreator } from './store';

export type FilterCheck = { state: 'empty' } | { state: 'ok' } | { state: 'error'; error: FilterError };

export interface SavedFilter {
  name: string;
  filter: string;
}

export interface FilterSlice {
  filterText: string;
  filterCheck: FilterCheck;
  history: string[];
  savedFilters: SavedFilter[];
  setFilterText(text: string): void;
  /** Asks the engine whether `text` compiles; ignored when the text changed meanwhile. */
  checkFilter(text: string): Promise<void>;
  pushHistory(filter: string): void;
  saveFilter(name: string, filter: string): void;
  removeSavedFilter(name: string): void;
}

const HISTORY_KEY = 'framescope.filter.history';
const SAVED_KEY = 'framescope.filter.saved';
const HISTORY_LIMIT = 30;

/** Buttons a new user finds useful at once; replaced by the user's own as soon as they save one. */
const DEFAULT_SAVED: SavedFilter[] = [
  { name: 'Malformed', filter: 'fs.malformed' },
  { name: 'Slow replies', filter: 'fs.response_time > 0.1' },
];

export const createFilterSlice: SliceCreator<FilterSlice> = (set, get, { api, storage }) => ({
  filterText: '',
  filterCheck: { state: 'empty' },
  history: loadJson<string[]>(storage, HISTORY_KEY, []),
  savedFilters: loadJson<SavedFilter[]>(storage, SAVED_KEY, DEFAULT_SAVED),

  setFilterText(filterText) {
    set({ filterText, ...(filterText.trim() === '' ? { filterCheck: { state: 'empty' } as const } : {}) });
  },

  async checkFilter(text) {
    if (text.trim() === '') { set({ filterCheck: { state: 'empty' } }); return; }
    try {
      const r = await api.call('filter.check', { filter: text });
      if (get().filterText !== text) return;
      set({ filterCheck: r.ok ? { state: 'ok' } : { state: 'error', error: r.error } });
    } catch {
      // The engine is unreachable: the status bar says so; keep the last verdict.
    }
  },

  pushHistory(filter) {
    if (filter.trim() === '') return;
    const history = [filter, ...get().history.filter((h) => h !== filter)].slice(0, HISTORY_LIMIT);
    set({ history });
    saveJson(storage, HISTORY_KEY, history);
  },

  saveFilter(name, filter) {
    const savedFilters = [...get().savedFilters.filter((s) => s.name !== name), { name, filter }];
    set({ savedFilters });
    saveJson(storage, SAVED_KEY, savedFilters);
  },

  removeSavedFilter(name) {
    const savedFilters = get().savedFilters.filter((s) => s.name !== name);
    set({ savedFilters });
    saveJson(storage, SAVED_KEY, savedFilters);
  },
});

/** Presentation state: theme, the lower pane's tab, dialogs and the context menu. */
import { loadJson, saveJson } from './services';
import type { SliceCreator } from './store';

export type Theme = 'dark' | 'light';
export type LowerTab = 'packet' | 'connections' | 'statistics' | 'follow' | 'transactions' | CraftTab;
/** The crafting tabs (features/intercept/craft-tabs.tsx). */
export type CraftTab = 'intercept' | 'mocks' | 'sequences' | 'chaos';
export type DialogName = 'proxy' | 'open' | 'save' | 'decodeAs' | 'capture' | 'confirmClear';

export interface MenuItem {
  label: string;
  /** Shown greyed out when absent. */
  action?: () => void;
  hint?: string;
  separatorBefore?: boolean;
}

export interface ContextMenuState {
  x: number;
  y: number;
  items: MenuItem[];
}

export interface UiSlice {
  theme: Theme;
  lowerTab: LowerTab;
  followConnection?: number;
  /** `port` and `protocol`: what Decode As opens with (the right-clicked frame's server port and protocol). */
  dialog?: { name: DialogName; port?: number; protocol?: string };
  menu?: ContextMenuState;
  /** Fraction of the main area given to the frame list. */
  split: number;
  /** The composer's width in pixels, as the user dragged it; undefined: the default (620 px, at most 52%). */
  composerWidth?: number;
  setTheme(theme: Theme): void;
  setLowerTab(tab: LowerTab): void;
  follow(connection: number): void;
  openDialog(name: DialogName, port?: number, protocol?: string): void;
  closeDialog(): void;
  openMenu(menu: ContextMenuState): void;
  closeMenu(): void;
  setSplit(split: number): void;
  /** undefined: back to the default width. */
  setComposerWidth(width: number | undefined): void;
}

const THEME_KEY = 'framescope.theme';
const SPLIT_KEY = 'framescope.split';
const COMPOSER_WIDTH_KEY = 'framescope.composerWidth';
/** The narrowest composer that still shows its controls. */
export const MIN_COMPOSER_WIDTH = 380;
/** What the frame list keeps however wide the composer is dragged. */
export const MIN_LIST_WIDTH = 360;
/** The composer's splitter bar (`.splitter-v` in app.css). */
export const SPLITTER_WIDTH = 5;

export function initialTheme(saved: Theme | null, prefersDark: boolean): Theme {
  return saved ?? (prefersDark ? 'dark' : 'light');
}

export const createUiSlice: SliceCreator<UiSlice> = (set, _get, { storage }) => ({
  theme: initialTheme(
    loadJson<Theme | null>(storage, THEME_KEY, null),
    typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches,
  ),
  lowerTab: 'packet',
  split: Math.min(0.8, Math.max(0.2, loadJson<number>(storage, SPLIT_KEY, 0.5))),
  composerWidth: validWidth(loadJson<number | null>(storage, COMPOSER_WIDTH_KEY, null)),

  setTheme(theme) {
    set({ theme });
    saveJson(storage, THEME_KEY, theme);
  },
  setLowerTab(lowerTab) { set({ lowerTab }); },
  follow(followConnection) { set({ followConnection, lowerTab: 'follow' }); },
  openDialog(name, port, protocol) { set({ dialog: { name, port, protocol }, menu: undefined }); },
  closeDialog() { set({ dialog: undefined }); },
  openMenu(menu) { set({ menu }); },
  closeMenu() { set({ menu: undefined }); },
  setSplit(split) {
    const s = Math.min(0.85, Math.max(0.15, split));
    set({ split: s });
    saveJson(storage, SPLIT_KEY, s);
  },
  setComposerWidth(width) {
    const w = width === undefined ? undefined : Math.round(Math.max(MIN_COMPOSER_WIDTH, width));
    set({ composerWidth: w });
    saveJson(storage, COMPOSER_WIDTH_KEY, w ?? null);
  },
});

function validWidth(w: unknown): number | undefined {
  return typeof w === 'number' && Number.isFinite(w) && w >= MIN_COMPOSER_WIDTH ? w : undefined;
}

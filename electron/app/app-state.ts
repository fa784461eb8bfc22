/**
 * What the desktop app remembers between runs — the window's bounds and the recent files — in one small JSON file
 * in Electron's userData folder. A missing or damaged file means defaults, never a failure to start; writes go to a
 * temporary file renamed over the old one, so a crash mid-write cannot leave half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WindowBounds } from './window';

export const STATE_FILE = 'framescope-state.json';
export const MAX_RECENT = 10;

export interface AppState {
  window?: WindowBounds;
  /** Most recent first, no duplicates. */
  recent: string[];
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads what it can from the file's text, dropping anything malformed field by field. */
export function parseState(text: string): AppState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { recent: [] };
  }
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as { window?: Record<string, unknown>; recent?: unknown };
  const state: AppState = { recent: [] };
  const w = r.window;
  if (w && finite(w.width) && finite(w.height) && w.width > 0 && w.height > 0) {
    state.window = {
      width: w.width, height: w.height,
      ...(finite(w.x) && finite(w.y) ? { x: w.x, y: w.y } : {}),
      ...(w.maximized === true ? { maximized: true } : {}),
    };
  }
  if (Array.isArray(r.recent)) {
    state.recent = withRecent([], ...r.recent.filter((p): p is string => typeof p === 'string' && p.length > 0).reverse());
  }
  return state;
}

/** The recent list after opening `paths` in order: each moves to the front, the list keeps MAX_RECENT. */
export function withRecent(recent: readonly string[], ...paths: string[]): string[] {
  let out = [...recent];
  for (const p of paths) out = [p, ...out.filter((q) => q !== p)];
  return out.slice(0, MAX_RECENT);
}

export class AppStateStore {
  private state: AppState;

  constructor(private readonly file: string) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // First run: defaults.
    }
    this.state = parseState(text);
  }

  get window(): WindowBounds | undefined {
    return this.state.window;
  }

  get recent(): readonly string[] {
    return this.state.recent;
  }

  setWindow(bounds: WindowBounds): void {
    this.state.window = bounds;
    this.save();
  }

  addRecent(path: string): void {
    this.state.recent = withRecent(this.state.recent, path);
    this.save();
  }

  removeRecent(path: string): void {
    this.state.recent = this.state.recent.filter((p) => p !== path);
    this.save();
  }

  clearRecent(): void {
    this.state.recent = [];
    this.save();
  }

  private save(): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
      renameSync(tmp, this.file);
    } catch (e) {
      // Remembering is a convenience: a read-only profile must not break the app.
      console.warn(`framescope: cannot save ${this.file}: ${(e as Error).message}`);
    }
  }
}

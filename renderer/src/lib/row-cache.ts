/**
 * The frame list's rows, fetched from the engine by page as they scroll into view and kept in a bounded cache, so
 * the renderer holds a few thousand rows whatever the session's size. Rows already shown can change (a request
 * learns its response when it arrives): `markStale` keeps showing them while the visible ones are fetched again.
 */
import type { FrameRow } from '../../../shared/model/session';

export type FetchRows = (start: number, count: number) => Promise<FrameRow[]>;

export interface RowCacheOptions {
  pageSize?: number;
  /** Pages kept; the least recently used go first. */
  maxPages?: number;
  /** Called after rows arrive (the list re-renders). */
  onLoad?: () => void;
  onError?: (error: Error) => void;
}

export class RowCache {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly pages = new Map<number, FrameRow[]>();
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly stale = new Set<number>();
  private disposed = false;
  /** Requests made, for tests and the benchmark. */
  requests = 0;

  constructor(private readonly fetchRows: FetchRows, private readonly opts: RowCacheOptions = {}) {
    this.pageSize = opts.pageSize ?? 128;
    this.maxPages = Math.max(2, opts.maxPages ?? 64);
  }

  /** The row at a view index, when loaded. */
  row(index: number): FrameRow | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize];
  }

  /** The view index of a frame number among the loaded rows. */
  indexOf(frameNumber: number): number | undefined {
    for (const [p, rows] of this.pages) {
      const i = rows.findIndex((r) => r.number === frameNumber);
      if (i >= 0) return p * this.pageSize + i;
    }
    return undefined;
  }

  /** Loads what rows [first, last] lack, and refreshes stale pages among them. */
  ensure(first: number, last: number): void {
    if (this.disposed || last < first) return;
    const p0 = Math.floor(Math.max(0, first) / this.pageSize);
    const p1 = Math.floor(last / this.pageSize);
    for (let p = p0; p <= p1; p++) {
      const page = this.pages.get(p);
      if (page) {
        // Touch: most recently used.
        this.pages.delete(p);
        this.pages.set(p, page);
      }
      if ((page && !this.stale.has(p)) || this.inflight.has(p)) continue;
      void this.load(p);
    }
  }

  /**
   * Loads rows [first, last] and resolves when they are in: used before showing new frames at the bottom, so a
   * list following live traffic shows rows, not placeholders.
   */
  async fill(first: number, last: number): Promise<void> {
    if (this.disposed || last < first) return;
    const waits: Promise<void>[] = [];
    for (let p = Math.floor(Math.max(0, first) / this.pageSize); p <= Math.floor(last / this.pageSize); p++) {
      if (!this.pages.has(p) || this.stale.has(p)) waits.push(this.inflight.get(p) ?? this.load(p));
      else if (this.inflight.has(p)) waits.push(this.inflight.get(p)!);
    }
    await Promise.all(waits);
  }

  /** Everything cached may be out of date: shown until fetched again. */
  markStale(): void {
    for (const p of this.pages.keys()) this.stale.add(p);
  }

  /** Drops pages from `index` on (the view shrank, or was rebuilt). */
  truncate(index: number): void {
    const from = Math.floor(index / this.pageSize);
    for (const p of [...this.pages.keys()]) if (p >= from) this.pages.delete(p);
  }

  dispose(): void {
    this.disposed = true;
    this.pages.clear();
  }

  private load(p: number): Promise<void> {
    const promise = this.fetchPage(p);
    this.inflight.set(p, promise);
    return promise;
  }

  private async fetchPage(p: number): Promise<void> {
    this.stale.delete(p);
    this.requests++;
    try {
      const rows = await this.fetchRows(p * this.pageSize, this.pageSize);
      if (this.disposed) return;
      this.pages.delete(p);
      if (rows.length > 0) this.pages.set(p, rows);
      while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
      this.inflight.delete(p);
      this.opts.onLoad?.();
    } catch (e) {
      if (!this.disposed) {
        this.stale.add(p);
        this.opts.onError?.(e as Error);
      }
    } finally {
      this.inflight.delete(p);
    }
  }
}

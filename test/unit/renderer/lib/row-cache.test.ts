import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/api/engine';
import { RowCache } from '../../../../renderer/src/lib/row-cache';
import { recordFlyer } from '../support/in-process';

let engine: Engine;
let viewId: number;

beforeEach(async () => {
  engine = new Engine();
  recordFlyer(engine, 500); // 1,000 frames
  const v = await engine.call('view.create', { filter: '' });
  if ('error' in v) throw new Error(v.error.message);
  viewId = v.viewId;
});
afterEach(() => engine.close());

const fetcher = () => (start: number, count: number) => engine.call('view.rows', { viewId, start, count });

describe('RowCache over an engine view', () => {
  it('fetches only the pages a window needs, once', async () => {
    const cache = new RowCache(fetcher(), { pageSize: 100 });
    await cache.fill(250, 320);
    expect(cache.requests).toBe(2);
    expect(cache.row(250)?.number).toBe(251);
    expect(cache.row(320)?.number).toBe(321);
    expect(cache.row(100)).toBeUndefined();
    cache.ensure(210, 330); // already there
    await cache.fill(210, 330);
    expect(cache.requests).toBe(2);
    expect(cache.indexOf(299)).toBe(298);
  });

  it('holds a bounded number of pages, dropping the least recently used', async () => {
    const cache = new RowCache(fetcher(), { pageSize: 50, maxPages: 4 });
    for (let p = 0; p < 10; p++) await cache.fill(p * 50, p * 50 + 49);
    expect(cache.row(0)).toBeUndefined();
    expect(cache.row(9 * 50)?.number).toBe(451);
    const loaded = Array.from({ length: 1000 }, (_, i) => cache.row(i)).filter(Boolean).length;
    expect(loaded).toBe(200);
  });

  it('refetches stale pages and sees what changed (a request learning its reply)', async () => {
    const cache = new RowCache(fetcher(), { pageSize: 100 });
    // A request whose reply has not arrived yet.
    const s = engine.session;
    const id = recordFlyer(engine, 0, 20180);
    const { loadFixtures } = await import('../../../support/fixtures');
    const fx = loadFixtures('flyer');
    s.data(id, 'c2s', fx.find((f) => f.file === '03-shake-hand.json')!.bytes);
    const at = s.frameCount - 1;
    await cache.fill(at, at);
    expect(cache.row(at)?.pairedWith).toBeUndefined();
    s.data(id, 's2c', fx.find((f) => f.file === '04-shake-hand-response.json')!.bytes);
    await cache.fill(at, at);
    expect(cache.row(at)?.pairedWith).toBeUndefined(); // cached, not refetched
    cache.markStale();
    expect(cache.row(at)?.number).toBe(at + 1); // still shown while stale
    await cache.fill(at, at);
    expect(cache.row(at)?.pairedWith).toBe(at + 2);
  });

  it('ignores answers that arrive after it was disposed', async () => {
    let loads = 0;
    const cache = new RowCache(fetcher(), { pageSize: 100, onLoad: () => loads++ });
    const pending = cache.fill(0, 10);
    cache.dispose();
    await pending;
    expect(loads).toBe(0);
    expect(cache.row(0)).toBeUndefined();
  });
});

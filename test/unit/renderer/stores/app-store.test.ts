import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/api/engine';
import { walkTree } from '../../../../shared/codec/tree';
import { bindEngineEvents } from '../../../../renderer/src/stores/bind-events';
import { nodeByKey } from '../../../../renderer/src/stores/detail-slice';
import { createAppStore, type AppStore } from '../../../../renderer/src/stores/store';
import { recordFlyer, services } from '../support/in-process';

let engine: Engine;
let store: AppStore;
let svc: ReturnType<typeof services>;

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  engine = new Engine();
  svc = services(engine);
  store = createAppStore(svc);
  bindEngineEvents(store, svc.api);
  await store.getState().init();
});

afterEach(async () => {
  store.getState().rows.dispose();
  await engine.close();
});

describe('the renderer store over a real engine', () => {
  it('starts empty, then follows frames as the session grows (batched session.changed → view.update)', async () => {
    expect(store.getState().ready).toBe(true);
    expect(store.getState().count).toBe(0);
    expect(store.getState().catalog.length).toBeGreaterThan(100);
    recordFlyer(engine, 3);
    await until(() => store.getState().count === 6);
    expect(store.getState().total).toBe(6);
    // Auto-scroll fetched the tail before showing it.
    expect(store.getState().rows.row(5)?.message).toBe('ShakeHandResponse');
  });

  it('applies a filter, keeps it for new frames, and answers a bad one with its error and column', async () => {
    recordFlyer(engine, 2);
    expect(await store.getState().applyFilter('flyer.protocol == ShakeHand')).toBeUndefined();
    expect(store.getState().count).toBe(2);
    expect(store.getState().history[0]).toBe('flyer.protocol == ShakeHand');
    recordFlyer(engine, 1);
    await until(() => store.getState().count === 3);
    const error = await store.getState().applyFilter('flyer.protocol == ShakeHand && flyer.nope == 1');
    expect(error).toMatchObject({ column: 'flyer.protocol == ShakeHand && '.length });
    expect(error!.message).toContain('flyer.nope');
    // The view stays on the last good filter.
    expect(store.getState().appliedFilter).toBe('flyer.protocol == ShakeHand');
  });

  it('decodes the selected frame and links tree and bytes both ways', async () => {
    recordFlyer(engine, 1);
    await until(() => store.getState().count === 2);
    store.getState().selectFrame(1, 0);
    await until(() => store.getState().detailState === 'ready');
    const { view, detail } = store.getState().decoded!;
    expect(view.message).toBe('ShakeHand');
    expect(detail.hex.length / 2).toBe(view.length);
    // A click on byte 23 (inside appCode "demo", bytes 22..25) selects the appCode node, the deepest covering it.
    store.getState().selectNodeAtOffset(23);
    const node = nodeByKey(view.tree, store.getState().selectedNode)!;
    expect(node.abbrev).toBe('flyer.appCode');
    expect([node.start, node.length]).toEqual([22, 4]);
    // Its ancestors are expanded so the tree shows it.
    expect([...store.getState().expanded]).toEqual(expect.arrayContaining(['0', '0.1']));
    // Every node's key leads back to it.
    let n = 0;
    for (const [candidate] of walkTree(view.tree)) if (candidate.abbrev) n++;
    expect(n).toBeGreaterThan(5);
  });

  it('moves the selection with the keyboard and stops following when moving up', async () => {
    recordFlyer(engine, 5);
    await until(() => store.getState().count === 10);
    store.getState().moveSelection('end', 20);
    await until(() => store.getState().selected === 10);
    store.getState().moveSelection('up', 20);
    await until(() => store.getState().selected === 9);
    expect(store.getState().autoScroll).toBe(false);
    store.getState().moveSelection('home', 20);
    await until(() => store.getState().selected === 1);
    store.getState().moveSelection('pageDown', 4);
    await until(() => store.getState().selected === 4);
  });

  it('starts over when the session is cleared: new view, no selection, frame numbers again from 1', async () => {
    recordFlyer(engine, 2);
    await until(() => store.getState().count === 4);
    store.getState().selectFrame(3, 2);
    store.getState().follow(1);
    const generation = store.getState().generation;
    await store.getState().clearSession();
    expect(store.getState().generation).toBe(generation + 1);
    expect(store.getState().selected).toBeUndefined();
    // Connection 1 of the new session is another connection: Follow starts over too.
    expect(store.getState().followConnection).toBeUndefined();
    expect(store.getState().count).toBe(0);
    recordFlyer(engine, 1);
    await until(() => store.getState().count === 2);
    expect(store.getState().rows.row(0)?.number).toBe(1);
  });

  it('keeps filter history and saved filters in storage', async () => {
    await store.getState().applyFilter('tcp.stream == 1');
    store.getState().saveFilter('Stream 1', 'tcp.stream == 1');
    const again = createAppStore({ ...svc });
    expect(again.getState().history[0]).toBe('tcp.stream == 1');
    expect(again.getState().savedFilters.map((s) => s.name)).toContain('Stream 1');
    again.getState().removeSavedFilter('Stream 1');
    expect(createAppStore({ ...svc }).getState().savedFilters.map((s) => s.name)).not.toContain('Stream 1');
  });
});

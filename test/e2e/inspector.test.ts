/**
 * The inspector as a user meets it: `framescope serve` in Chromium, traffic through a real proxy listener started
 * from the UI, rows appearing live, tree and hex agreeing with the bytes both ways, filters and their errors,
 * keyboard, right-click, connections, statistics, follow connection. Screenshots go to docs/screenshots/ with
 * FRAMESCOPE_SCREENSHOTS=1.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fromHex } from '../../shared/codec/bytes';
import { nodeAtOffset, walkTree, type FieldNode } from '../../shared/codec/tree';
import { getProtocol } from '../../shared/protocols/index';
import { runDemoClient, startDemoServer, type DemoServer } from '../../electron/engine/demo/demo';
import { checkPrerequisites, engineClient, openBrowser, ROOT, startServe, type Browser, type Served } from './support/harness';
import type { WsTransport } from '../../renderer/src/api/ws-transport';

/** README screenshots are refreshed on request (FRAMESCOPE_SCREENSHOTS=1), so a test run leaves the tree clean. */
const SHOTS = process.env.FRAMESCOPE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : join(tmpdir(), 'framescope-screenshots');

/** Waits for a condition evaluated in the test (not the page). */
async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const visibleRows = (page: Page) => page.locator('.frame-row[data-frame]').evaluateAll((els) => els.map((e) => ({
  number: Number(e.getAttribute('data-frame')), text: e.textContent ?? '', selected: e.getAttribute('aria-selected') === 'true',
  top: e.getBoundingClientRect().top,
})));

mkdirSync(SHOTS, { recursive: true });

describe('inspector UI against framescope serve', () => {
  let served: Served;
  let api: WsTransport;
  let browser: Browser;
  let page: Page;
  let flyer: DemoServer;

  beforeAll(async () => {
    checkPrerequisites();
    served = await startServe();
    api = engineClient(served);
    flyer = await startDemoServer('flyer', { port: 0 });
    browser = await openBrowser({ colorScheme: 'dark' });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    api?.close();
    await flyer?.close();
    await served?.stop();
  });

  it('opens on the welcome screen, and a proxy started from the dialog shows frames live', async () => {
    await page.goto(served.url);
    await page.getByTestId('welcome').waitFor();
    // The token went into a cookie; the address bar no longer shows it.
    expect(page.url()).not.toContain('token=');

    await page.getByRole('button', { name: /Proxy a real server/ }).click();
    await page.locator('input[name="upstream"]').fill(`127.0.0.1:${flyer.port}`);
    await page.locator('select[name="protocol"]').selectOption('flyer');
    await page.getByTestId('proxy-start').click();
    const [listener] = await until('the listener', async () => (await api.call('proxy.list', {})).length === 1 && api.call('proxy.list', {}));
    expect(listener.upstream.port).toBe(flyer.port);
    await expect.poll(() => page.getByTestId('status-proxy').textContent()).toContain(`→ 127.0.0.1:${flyer.port}`);

    // A client talks through the proxy while the page watches: rows arrive without any reload.
    await runDemoClient('flyer', { port: listener.boundPort, rounds: 2, intervalMs: 100 });
    const info = await until('frames recorded', async () => {
      const i = await api.call('session.info', {});
      return i.frames >= 20 && i;
    });
    await expect.poll(() => page.getByTestId('status-frames').textContent(), { timeout: 10_000 }).toContain(`Frames: ${info.frames}`);
    await expect.poll(async () => (await visibleRows(page)).length).toBeGreaterThan(5);
    // Following live traffic, the list shows the last frame.
    await expect.poll(async () => Math.max(...(await visibleRows(page)).map((r) => r.number))).toBe(info.frames);
  });

  it('shows the tree and the bytes of the selected frame, and they agree with the engine’s bytes both ways', async () => {
    await page.getByTestId('frame-scroller').focus();
    await page.keyboard.press('Home');
    const row = page.locator('.frame-row[data-frame]', { hasText: 'ShakeHand ' }).first();
    await row.waitFor();
    const number = Number(await row.getAttribute('data-frame'));
    await row.click();
    await expect.poll(() => page.locator('.frame-title').textContent()).toContain(`Frame ${number}:`);

    const detail = await api.call('frame.detail', { number });
    const frame = getProtocol('flyer')!.decode(fromHex(detail.hex), detail.row.direction, { context: detail.context });
    expect(frame.message).toBe('ShakeHand');

    // Hex pane: every byte, in order, is the engine's byte.
    const shownHex = (await page.locator('[data-testid="hex-view"] .byte[data-offset]').allTextContents()).join('');
    expect(shownHex).toBe(detail.hex);

    // Tree: the top-level lines are the decoder's nodes.
    await page.getByTitle('Expand all').click();
    const treeLabels = await page.locator('.tree-line[data-key]').evaluateAll((els) => els.map((e) => e.getAttribute('data-abbrev') ?? ''));
    const decodedAbbrevs = [...walkTree(frame.tree)].map(([n]) => n.abbrev ?? '');
    expect(treeLabels).toEqual(decodedAbbrevs);

    // Selecting a field highlights exactly its bytes.
    const field = [...walkTree(frame.tree)].map(([n]) => n).find((n) => n.abbrev === 'flyer.appCode')!;
    await page.locator('.tree-line[data-abbrev="flyer.appCode"]').click();
    const highlighted = await page.locator('[data-testid="hex-view"] .byte.hl').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset'))));
    expect(highlighted).toEqual(Array.from({ length: field.length }, (_, i) => field.start + i));
    await expect.poll(() => page.getByTestId('status-field').textContent()).toContain('flyer.appCode');

    // Clicking a byte selects the deepest field covering it, for every byte of the frame.
    const bytes = fromHex(detail.hex);
    for (const offset of [0, 7, 12, 21, bytes.length - 1]) {
      await page.locator(`[data-testid="hex-view"] .byte[data-offset="${offset}"]`).click();
      const expected = nodeAtOffset(frame.tree, offset).at(-1) as FieldNode;
      const selected = page.locator('.tree-line[aria-selected="true"]');
      await expect.poll(() => selected.getAttribute('data-start')).toBe(String(expected.start));
      expect(await selected.getAttribute('data-length')).toBe(String(expected.length));
      expect((await selected.getAttribute('data-abbrev')) ?? '').toBe(expected.abbrev ?? '');
    }

    // The clicked byte is a cursor: the arrow keys, Home and End move it (16 bytes a line) and select the field under it.
    await page.locator('[data-testid="hex-view"] .byte[data-offset="0"]').click();
    const clamp = (o: number): number => Math.max(0, Math.min(bytes.length - 1, o));
    let at = 0;
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'End', 'ArrowUp', 'Home', 'ArrowLeft'] as const) {
      const lineStart = at - (at % 16);
      at = clamp({ ArrowRight: at + 1, ArrowLeft: at - 1, ArrowDown: at + 16, ArrowUp: at - 16, Home: lineStart, End: lineStart + 15 }[key]);
      await page.keyboard.press(key);
      await expect.poll(() => page.locator('[data-testid="hex-view"] .byte.cursor').getAttribute('data-offset')).toBe(String(at));
      const expected = nodeAtOffset(frame.tree, at).at(-1) as FieldNode;
      await expect.poll(() => page.locator('.tree-line[aria-selected="true"]').getAttribute('data-start')).toBe(String(expected.start));
    }
    await page.screenshot({ path: join(SHOTS, 'tree-hex-dark.png') });
  });

  it('moves through frames with the keyboard', async () => {
    await page.getByTestId('frame-scroller').focus();
    await page.keyboard.press('Home');
    await expect.poll(async () => (await visibleRows(page)).find((r) => r.selected)?.number).toBe(1);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await visibleRows(page)).find((r) => r.selected)?.number).toBe(3);
    await expect.poll(() => page.locator('.frame-title').textContent()).toContain('Frame 3:');
    await page.keyboard.press('End');
    const total = (await api.call('session.info', {})).frames;
    await expect.poll(async () => (await visibleRows(page)).find((r) => r.selected)?.number).toBe(total);
  });

  it('checks a filter as it is typed, completes field names, shows an error at its column, and narrows the rows on Enter', async () => {
    const input = page.getByTestId('filter-input');
    await input.click();
    await input.pressSequentially('flyer.proto');
    await expect.poll(() => page.getByTestId('completion').textContent()).toContain('flyer.protocol');

    const bad = 'flyer.protocol == ShakeHand && flyer.nope == 1';
    await input.fill(bad);
    await expect.poll(() => page.locator('.filter-bar').getAttribute('data-state')).toBe('error');
    expect(await page.getByTestId('filter-error').textContent()).toContain('flyer.nope');
    const squiggle = page.getByTestId('filter-squiggle');
    expect(await squiggle.textContent()).toBe('flyer.nope');
    expect(Number(await squiggle.getAttribute('data-column'))).toBe(bad.indexOf('flyer.nope'));
    await page.screenshot({ path: join(SHOTS, 'filter-error-dark.png') });

    await input.fill('flyer.protocol == ShakeHand');
    await expect.poll(() => page.locator('.filter-bar').getAttribute('data-state')).toBe('ok');
    await input.press('Enter');
    const view = await api.call('view.create', { filter: 'flyer.protocol == ShakeHand' });
    if ('error' in view) throw new Error(view.error.message);
    expect(view.count).toBeGreaterThan(0);
    expect(view.count).toBeLessThan(view.total);
    await expect.poll(() => page.getByTestId('status-frames').textContent()).toContain(`Displayed: ${view.count} of ${view.total}`);
    // The count comes with the view; its rows are fetched after it.
    await expect.poll(async () => (await visibleRows(page)).length).toBe(view.count);
    const rows = await visibleRows(page);
    for (const r of rows) expect(r.text).toContain('ShakeHand ');

    // A filter that matches nothing says so; the previous filter comes back after.
    await input.fill('frame.number > 99999999');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('no-match').textContent()).toBe('No frame matches frame.number > 99999999.');
    await input.fill('flyer.protocol == ShakeHand');
    await input.press('Enter');
    await expect.poll(async () => (await visibleRows(page)).length).toBe(view.count);
    expect(await page.getByTestId('no-match').count()).toBe(0);
  });

  it('right-click: follow a connection (filter and two-sided timeline), filter on a field, copy as hex', async () => {
    await page.getByTestId('filter-input').fill('');
    await page.getByTestId('filter-input').press('Enter');
    const row = page.locator('.frame-row[data-frame]', { hasText: 'Heartbeat' }).first();
    await row.waitFor();
    const number = Number(await row.getAttribute('data-frame'));
    const { row: frameRow } = await api.call('frame.detail', { number });
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Follow connection/ }).click();
    await expect.poll(() => page.getByTestId('filter-input').inputValue()).toBe(`tcp.stream == ${frameRow.connection}`);
    const convo = await api.call('connection.frames', { connection: frameRow.connection });
    await expect.poll(() => page.getByTestId('status-frames').textContent()).toContain(`Displayed: ${convo.length} of`);
    // The follow view: client's messages on the left, server's on the right, one bubble per frame.
    await expect.poll(() => page.locator('.follow-scroller').getAttribute('data-count')).toBe(String(convo.length));
    const readBubbles = () => page.locator('[data-testid="follow-view"] .follow-line').evaluateAll((els) => els.map((e) => ({
      side: e.classList.contains('c2s') ? 'c2s' : 's2c', frame: Number(e.querySelector('[data-frame]')!.getAttribute('data-frame')),
    })));
    await expect.poll(async () => (await readBubbles()).length).toBeGreaterThan(3);
    const bubbles = await readBubbles();
    const byNumber = new Map(convo.map((f) => [f.number, f.direction]));
    for (const b of bubbles) expect(b.side).toBe(byNumber.get(b.frame));
    expect(bubbles.map((b) => b.frame)).toEqual(convo.slice(0, bubbles.length).map((f) => f.number));
    await page.screenshot({ path: join(SHOTS, 'follow-dark.png') });

    // Filter on a tree value.
    await page.getByTestId('tab-packet').click();
    await page.locator('.frame-row[data-frame]').first().click();
    const field = page.locator('.tree-line[data-abbrev="flyer.version"]');
    await field.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Apply as filter' }).click();
    await expect.poll(() => page.getByTestId('filter-input').inputValue()).toMatch(/^flyer\.version == \d+$/);
    await expect.poll(() => page.locator('.filter-bar').getAttribute('data-state')).toBe('ok');

    // Copy as hex puts the frame's bytes on the clipboard.
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.origin });
    // The list redraws once the filter's view arrives: take a row of the filtered list, then click that very row.
    const filtered = await api.call('view.create', { filter: await page.getByTestId('filter-input').inputValue() });
    if ('error' in filtered) throw new Error(filtered.error.message);
    await expect.poll(() => page.getByTestId('status-frames').textContent()).toContain(`Displayed: ${filtered.count} of`);
    const firstNumber = Number(await page.locator('.frame-row[data-frame]').first().getAttribute('data-frame'));
    await page.locator(`.frame-row[data-frame="${firstNumber}"]`).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Copy as hex' }).click();
    const expectedHex = (await api.call('frame.detail', { number: firstNumber })).hex;
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(expectedHex);
  });

  it('lists connections and per-message statistics that match the engine', async () => {
    await page.getByTestId('filter-input').fill('');
    await page.getByTestId('filter-input').press('Enter');
    await page.getByTestId('tab-connections').click();
    const conns = await api.call('connections.list', {});
    await expect.poll(() => page.locator('[data-testid="connections-panel"] .table-scroller').getAttribute('data-count')).toBe(String(conns.length));
    const shown = await page.locator('[data-testid="connections-panel"] .table-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-connection'))));
    expect(shown).toEqual(conns.map((c) => c.id).sort((a, b) => a - b).slice(0, shown.length));
    await page.screenshot({ path: join(SHOTS, 'connections-dark.png') });

    await page.getByTestId('tab-statistics').click();
    const stats = await api.call('stats.messages', {});
    const shake = stats.find((s) => s.message === 'ShakeHand')!;
    const table = () => page.locator('[data-testid="statistics-panel"] tbody tr').evaluateAll((els) => els.map((e) => [...e.querySelectorAll('td')].map((td) => td.textContent)));
    // The panel fetches when it opens: poll until it shows the engine's numbers.
    await expect.poll(async () => (await table()).find((cells) => cells[0] === 'flyer' && cells[1] === 'ShakeHand')?.[2]).toBe(String(shake.count));
    expect((await table()).length).toBe(stats.length);
    await page.screenshot({ path: join(SHOTS, 'statistics-dark.png') });
    expect(browser.errors).toEqual([]);
  });
});

describe('the demo from the welcome screen', () => {
  let served: Served;
  let api: WsTransport;

  beforeAll(async () => {
    checkPrerequisites();
    served = await startServe();
    api = engineClient(served);
  }, 60_000);

  afterAll(async () => {
    await api?.call('demo.stop', {}).catch(() => undefined);
    api?.close();
    await served?.stop();
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`shows every protocol live within seconds (${theme} theme)`, async () => {
      const browser = await openBrowser({ colorScheme: theme });
      try {
        const { page } = browser;
        await page.goto(served.url);
        if (theme === 'dark') {
          await page.getByTestId('welcome').waitFor();
          await page.screenshot({ path: join(SHOTS, 'welcome-dark.png') });
          const started = Date.now();
          await page.getByTestId('start-demo').click();
          // Every protocol has frames in the session within seconds.
          const protocols = ['flyer', 'hodor', 'tt', 'txlcn', 'push', 'http'];
          await until('every protocol', async () => {
            const seen = new Set((await api.call('stats.messages', {})).map((s) => s.protocol));
            return protocols.every((p) => seen.has(p));
          }, 10_000);
          expect(Date.now() - started).toBeLessThan(10_000);
          // A filter leaving no rows clamps the list's scroll position: that is no scrolling back, the list keeps
          // following live traffic.
          await until('a list longer than the screen', async () =>
            Number((await page.getByTestId('status-frames').textContent())!.replace(/\D/g, '')) > 200);
          const filter = page.getByTestId('filter-input');
          await filter.fill('frame.number == 0');
          await filter.press('Enter');
          await expect.poll(() => page.getByTestId('status-frames').textContent()).toContain('Displayed: 0 of');
          await page.waitForTimeout(500); // the clamped scroll event comes a frame or two later
          expect(await page.getByTestId('autoscroll-button').getAttribute('aria-pressed')).toBe('true');
          await filter.fill('');
          await filter.press('Enter');
        }
        await page.locator('.frame-row[data-frame]').first().waitFor();
        await page.getByTestId('tab-statistics').click();
        for (const p of ['flyer', 'hodor', 'tt', 'txlcn', 'push', 'http']) {
          await expect.poll(() => page.locator(`[data-testid="statistics-panel"] tr.proto-${p}`).count()).toBeGreaterThan(0);
        }
        // The main window: stop following so the picture is steady, select a frame, show its fields.
        await page.getByTestId('tab-packet').click();
        await page.getByTestId('autoscroll-button').click();
        const row = page.locator('.frame-row[data-frame]', { hasText: theme === 'dark' ? 'LoginRes' : 'JobExecRequest' }).first();
        // When that message has scrolled away, another request or response: any row could be a 4-byte push Magic,
        // whose tree has no third line to click.
        if (await row.count()) await row.click(); else await page.locator('.frame-row[data-frame]', { hasText: /Request|Response/ }).first().click();
        await page.locator('.tree-line').nth(2).click();
        await page.screenshot({ path: join(SHOTS, `main-${theme}.png`) });
        expect(browser.errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});

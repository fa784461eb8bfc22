/**
 * A million frames in the list: the scrollbar is scaled past the browser's height cap (lib/scaled-window.ts), rows
 * are fetched by range, and both ends and the middle are reachable, by keyboard and by scrollbar. The frames are
 * recorded straight into an in-process engine (a proxy would need minutes for a million), served by the real web
 * server to Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/api/engine';
import { startWebServer, type RunningWebServer } from '../../electron/engine/api/web-server';
import { recordFlyer } from '../unit/renderer/support/in-process';
import { checkPrerequisites, openBrowser, ROOT, type Browser } from './support/harness';

const FRAMES = 1_000_000;

describe('a session of a million frames', () => {
  let engine: Engine;
  let server: RunningWebServer;
  let browser: Browser;

  beforeAll(async () => {
    checkPrerequisites();
    engine = new Engine();
    for (let i = 0; i < 10; i++) recordFlyer(engine, FRAMES / 20, 20180);
    server = await startWebServer(engine, { host: '127.0.0.1', port: 0, staticDir: `${ROOT}/dist/renderer` });
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.close();
  });

  const shown = () => browser.page.locator('.frame-row[data-frame]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))));

  it('opens at the last frame, goes to both ends by keyboard and to the middle by scrollbar', async () => {
    const { page } = browser;
    expect(engine.session.frameCount).toBe(FRAMES);
    await page.goto(server.url);
    // Auto-scroll: the newest frame is on screen, its bottom edge on the list's bottom edge.
    await page.locator(`.frame-row[data-frame="${FRAMES}"]`).waitFor();
    const edges = () => page.evaluate((n) => {
      const row = document.querySelector(`.frame-row[data-frame="${n}"]`)!.getBoundingClientRect();
      const list = document.querySelector('.frame-scroller')!.getBoundingClientRect();
      return { row: Math.round(row.bottom), list: Math.round(list.bottom) };
    }, FRAMES);
    expect((await edges()).row).toBe((await edges()).list);

    const scroller = page.getByTestId('frame-scroller');
    await scroller.focus();
    await page.keyboard.press('Home');
    await page.locator('.frame-row[data-frame="1"][aria-selected="true"]').waitFor();
    expect(Math.min(...await shown())).toBe(1);
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown');
    await expect.poll(async () => Number(await page.locator('.frame-row[aria-selected="true"]').getAttribute('data-frame'))).toBeGreaterThan(40);

    // The scrollbar thumb dragged to the middle: the rows around frame 500,000.
    const height = await scroller.evaluate((el) => { el.scrollTop = (el.scrollHeight - el.clientHeight) / 2; return el.scrollHeight; });
    expect(height).toBeLessThanOrEqual(10_000_000);
    await expect.poll(async () => {
      const rows = await shown();
      return rows.length > 10 && Math.abs(rows[Math.floor(rows.length / 2)] - FRAMES / 2) < 100;
    }).toBe(true);
    const rows = await shown();
    // Consecutive frames, no gaps or placeholders in the window.
    expect(rows).toEqual(Array.from({ length: rows.length }, (_, i) => rows[0] + i));

    await page.keyboard.press('End');
    await page.locator(`.frame-row[data-frame="${FRAMES}"][aria-selected="true"]`).waitFor();
    expect((await edges()).row).toBe((await edges()).list);
    expect(browser.errors).toEqual([]);
  });
});

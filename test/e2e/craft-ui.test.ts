/**
 * Crafting as a user does it, in Chromium against `framescope serve`, with real peers: a tt login composed in the
 * composer (Monaco) and sent on a new connection to the demo tt server, its reply decoded in the frame list; a hodor
 * request held by an intercept rule, edited in the composer and forwarded — the server's reply carries the edit; a
 * mock flyer server created in the Mocks tab answering the real demo flyer client (which checks every packet id);
 * chaos split/coalesce set in the Chaos tab with every frame still decoded. Screenshots: docs/screenshots/composer.png,
 * intercept.png, mock.png (always written to a temp dir; to docs/ with FRAMESCOPE_SCREENSHOTS=1).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fromHex, toHex } from '../../shared/codec/bytes';
import { NEED_MORE } from '../../shared/codec/protocol';
import { walkTree } from '../../shared/codec/tree';
import { getProtocol } from '../../shared/protocols/index';
import { runDemoClient, startDemoServer, type DemoServer } from '../../electron/engine/demo/demo';
import type { WsTransport } from '../../renderer/src/api/ws-transport';
import { checkPrerequisites, engineClient, openBrowser, ROOT, startServe, type Browser, type Served } from './support/harness';

const SHOTS = process.env.FRAMESCOPE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : join(tmpdir(), 'framescope-screenshots');
mkdirSync(SHOTS, { recursive: true });

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

/**
 * Edits one value in Monaco as a user does: double-click the value on the member's line (selects the word), type the
 * new one. (Typing a whole document would meet Monaco's auto-indent and bracket closing, as a user would.)
 */
async function editValue(page: Page, member: string, from: string, to: string): Promise<void> {
  await page.locator('[data-testid="composer-editor"][data-ready="true"]').waitFor();
  const line = page.locator('[data-testid="composer-editor"] .view-line', { hasText: `"${member}"` }).first();
  await line.locator('span span', { hasText: new RegExp(`^"?${from}"?$`) }).first().dblclick();
  await page.keyboard.type(to);
}

describe('craft UI against framescope serve and real peers', () => {
  let served: Served;
  let api: WsTransport;
  let browser: Browser;
  let page: Page;
  let tt: DemoServer;
  let hodor: DemoServer;
  let flyer: DemoServer;

  beforeAll(async () => {
    checkPrerequisites();
    served = await startServe();
    api = engineClient(served);
    [tt, hodor, flyer] = await Promise.all([
      startDemoServer('tt', { port: 0 }), startDemoServer('hodor', { port: 0 }), startDemoServer('flyer', { port: 0 }),
    ]);
    browser = await openBrowser({ colorScheme: 'dark' });
    page = browser.page;
    await page.goto(served.url);
    await page.getByTestId('welcome').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    api?.close();
    await Promise.all([tt?.close(), hodor?.close(), flyer?.close()]);
    await served?.stop();
  });

  it('composes a tt login from its template, sends it on a new connection, and shows the server’s reply decoded', async () => {
    await page.getByTestId('compose-button').click();
    await page.getByTestId('composer').waitFor();
    await page.getByTestId('composer-template').selectOption('tt/LoginRequest');
    const tmpl = getProtocol('tt')!.messages.find((m) => m.name === 'LoginRequest')!.template();
    const doc = { ...tmpl, reserved: 7 };
    await editValue(page, 'reserved', '0', '7');

    // The live preview is exactly what the shared codec encodes, and a field selected highlights its bytes.
    const expected = getProtocol('tt')!.encode('LoginRequest', 'c2s', doc);
    await expect.poll(async () => (await page.locator('[data-testid="composer-hex"] .byte').allTextContents()).join(''), { timeout: 10_000 }).toBe(toHex(expected));
    const tree = getProtocol('tt')!.decode(expected, 'c2s').tree;
    const username = [...walkTree(tree)].map(([n]) => n).find((n) => n.abbrev === 'tt.username')!;
    await page.locator('[data-testid="composer-tree"] [data-abbrev="tt.username"]').click();
    const hl = await page.locator('[data-testid="composer-hex"] .byte.hl').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset'))));
    expect(hl).toEqual(Array.from({ length: username.length }, (_, i) => username.start + i));
    // The length is computed unless overridden (an override shows in the preview at once).
    await page.getByTestId('override-length').check();
    await expect.poll(() => page.getByTestId('composer-length').textContent()).toContain(`${expected.length} bytes`);
    await page.getByTestId('override-length').uncheck();

    // Hover tells what a field means, enums with their labels (from the codec's JSON Schema).
    await page.locator('[data-testid="composer-editor"] .view-line', { hasText: '"online_status"' }).locator('span span', { hasText: 'online_status' }).first().hover();
    await expect.poll(() => page.locator('.monaco-hover').first().textContent(), { timeout: 10_000 }).toContain('1 = online');
    await page.mouse.move(5, 300);

    await page.getByTestId('target-endpoint').fill(`127.0.0.1:${tt.port}`);
    await page.screenshot({ path: join(SHOTS, 'composer.png') });
    await page.getByTestId('composer-send').click();
    await expect.poll(() => page.getByTestId('composer-last').textContent(), { timeout: 10_000 }).toContain(`Sent ${expected.length} bytes`);

    // The reply, from the real server, decoded in the main frame list.
    const reply = page.locator('.frame-row[data-frame]', { hasText: 'LoginResponse' }).first();
    await reply.waitFor({ timeout: 10_000 });
    const number = Number(await reply.getAttribute('data-frame'));
    const detail = await api.call('frame.detail', { number });
    const frame = getProtocol('tt')!.decode(fromHex(detail.hex), 's2c');
    expect(frame.message).toBe('LoginResponse');
    expect(frame.value.result).toBe(0);
    expect(frame.value.reserved).toBe(7);
    // The client session stays open and is the composer's target now.
    const [session] = await api.call('craft.list', {});
    expect(session).toMatchObject({ state: 'open', port: tt.port, sent: 1 });
    expect(session.received).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByTestId('target-session').inputValue()).toBe(session.id);

    // Edit & resend from the frame list: the composer opens on the decoded request.
    const request = page.locator('.frame-row[data-frame]', { hasText: 'LoginRequest' }).first();
    await request.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Edit & resend/ }).click();
    await expect.poll(() => page.getByTestId('composer').textContent()).toContain('frame ');
    await expect.poll(() => page.locator('[data-testid="composer-editor"] .view-lines').textContent()).toContain('zhangsan');
    await page.getByTestId('composer-send').click();
    await expect.poll(async () => (await api.call('connection.frames', { connection: session.connection })).filter((r) => r.message === 'LoginResponse').length, { timeout: 10_000 }).toBe(2);
    expect((await api.call('craft.list', {}))[0].sent).toBe(2);

    // In a 1024-pixel window the composer gives the frame list room when its splitter is dragged, keeps the width,
    // and goes back to its default on a double click.
    await page.setViewportSize({ width: 1024, height: 768 });
    const widths = async () => ({
      composer: (await page.getByTestId('composer').boundingBox())!.width,
      list: (await page.locator('main.main').boundingBox())!.width,
    });
    const before = await widths();
    const bar = (await page.getByTestId('composer-splitter').boundingBox())!;
    await page.mouse.move(bar.x + bar.width / 2, bar.y + 200);
    await page.mouse.down();
    await page.mouse.move(bar.x + bar.width / 2 + 120, bar.y + 200, { steps: 5 });
    await page.mouse.up();
    const dragged = await widths();
    expect(dragged.composer).toBeCloseTo(before.composer - 120, -1);
    expect(dragged.list).toBeCloseTo(before.list + 120, -1);
    expect(Number(await page.evaluate(() => localStorage.getItem('framescope.composerWidth')))).toBeCloseTo(dragged.composer, -1);
    await page.getByTestId('composer-splitter').focus();
    await page.keyboard.press('ArrowLeft');
    expect((await widths()).composer).toBeCloseTo(dragged.composer + 24, 0);
    // Dragged far to the left, the frame list keeps its minimum.
    const moved = (await page.getByTestId('composer-splitter').boundingBox())!;
    await page.mouse.move(moved.x + moved.width / 2, moved.y + 200);
    await page.mouse.down();
    await page.mouse.move(10, moved.y + 200, { steps: 5 });
    await page.mouse.up();
    expect((await widths()).list).toBeCloseTo(360, -1);
    await page.screenshot({ path: join(tmpdir(), 'framescope-composer-1024.png') });
    await page.getByTestId('composer-splitter').dblclick();
    expect((await widths()).composer).toBeCloseTo(before.composer, -1);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByTestId('composer-close').click();
  });

  it('holds a hodor request by an intercept rule set in the UI, edits it in the composer, and the server gets the edit', async () => {
    const listener = await api.call('proxy.add', { host: '127.0.0.1', port: 0, upstream: { host: '127.0.0.1', port: hodor.port }, protocol: 'hodor' });
    await page.getByTestId('tab-intercept').click();
    await page.getByTestId('intercept-listener').selectOption(listener.id);
    await page.getByTestId('intercept-add-rule').click();
    await page.getByLabel('Rule filter').fill('fs.message == "HeartbeatRequest"');
    await page.getByTestId('intercept-apply').click();
    await until('the rule', async () => (await api.call('intercept.getRules', { listenerId: listener.id })).rules.length === 1);

    // A real hodor client, through the proxy.
    const hodorP = getProtocol('hodor')!;
    const heartbeat = hodorP.messages.find((m) => m.name === 'HeartbeatRequest')!.template();
    const client = net.connect(listener.boundPort, '127.0.0.1');
    const replies: Record<string, unknown>[] = [];
    let buf = new Uint8Array(0);
    const framer = hodorP.framer('s2c');
    client.on('data', (d: Buffer) => {
      const next = new Uint8Array(buf.length + d.length);
      next.set(buf);
      next.set(d, buf.length);
      buf = next;
      for (;;) {
        const n = framer.frame(buf, 0, buf.length);
        if (n <= 0 || n === NEED_MORE) break;
        replies.push(hodorP.decode(buf.subarray(0, n), 's2c').value);
        buf = buf.slice(n);
      }
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.write(hodorP.encode('HeartbeatRequest', 'c2s', { ...heartbeat, id: '501' }));

    const row = page.locator('[data-testid="held-table"] tr[data-held]').first();
    await row.waitFor();
    expect(await row.textContent()).toContain('HeartbeatRequest');
    await expect.poll(() => page.getByTestId('tab-count-intercept').textContent()).toBe('1');
    await page.screenshot({ path: join(SHOTS, 'intercept.png') });
    // In a 1024-pixel window the held frame's buttons stay in view: the summary gives way, the column does not scroll.
    await page.setViewportSize({ width: 1024, height: 768 });
    const sideways = await page.getByTestId('held-table').evaluate((t) => { const col = t.closest('.craft-col')!; return col.scrollWidth - col.clientWidth; });
    await page.screenshot({ path: join(tmpdir(), 'framescope-intercept-1024.png') });
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(sideways).toBeLessThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(replies).toHaveLength(0); // held: the server has not seen it

    await row.getByTestId('held-edit').click();
    await page.getByTestId('composer').waitFor();
    await expect.poll(() => page.getByTestId('composer-send').textContent()).toBe('Forward edited');
    const [held] = await api.call('intercept.list', { listenerId: listener.id });
    expect(held.value?.id).toBe('501');
    await editValue(page, 'id', '501', '4242');
    const edited = toHex(hodorP.encode('HeartbeatRequest', 'c2s', { ...held.value, id: '4242' }));
    await expect.poll(async () => (await page.locator('[data-testid="composer-hex"] .byte').allTextContents()).join('')).toBe(edited);
    await page.getByTestId('composer-send').click();

    // The server answered the edited request: its reply copies the id it received.
    await until('the server’s reply', async () => replies.length > 0);
    expect(replies[0].id).toBe('4242');
    await page.getByTestId('composer').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-testid="held-table"] tr[data-decided] .state-tag').first().textContent()).toBe('modified');
    const marked = await until('the modified frame', async () => {
      const rows = await api.call('connection.frames', { connection: held.connection });
      return rows.find((r) => r.mark?.kind === 'modified');
    });
    expect(marked.mark?.original).toBe(held.hex);
    // The frame list says so too.
    await expect.poll(() => page.locator('.frame-row.mark-modified .col-info').first().textContent()).toMatch(/^\[modified\] HeartbeatRequest id=4242/);
    await api.call('intercept.setRules', { listenerId: listener.id, rules: [] });

    // Edit & resend from the detail pane: injected into the live proxied connection, towards the server.
    await page.getByTestId('tab-packet').click();
    await page.locator('.frame-row.mark-modified').first().click();
    await page.getByTestId('edit-resend').click();
    await expect.poll(() => page.getByTestId('target-kind').inputValue()).toBe('inject');
    await expect.poll(() => page.getByTestId('target-connection').inputValue()).toBe(String(held.connection));
    expect(await page.getByTestId('target-direction').inputValue()).toBe('c2s');
    await editValue(page, 'id', '4242', '777');
    await page.getByTestId('composer-send').click();
    await until('the reply to the injected request', async () => replies.length > 1);
    expect(replies[1].id).toBe('777');
    const injected = await until('the injected frame', async () => (await api.call('connection.frames', { connection: held.connection })).find((r) => r.mark?.kind === 'injected'));
    expect(injected.summary).toContain('id=777');
    await page.getByTestId('composer-close').click();
    client.destroy();
  });

  it('starts a mock flyer server from the Mocks tab that a real flyer client completes its rounds against', async () => {
    await page.getByTestId('tab-mocks').click();
    await page.getByTestId('mock-protocol').selectOption('flyer');
    await page.getByTestId('mock-file').setInputFiles(join(ROOT, 'electron/engine/craft/examples/flyer-server.mock.json'));
    await expect.poll(() => page.getByTestId('mock-rules').inputValue()).toContain('ShakeHandResponse');
    await page.getByTestId('mock-start').click();
    const where = page.locator('[data-testid="mock-table"] [data-testid="mock-where"]').first();
    await where.waitFor();
    const port = Number((await where.textContent())!.split(':').pop());
    expect(port).toBeGreaterThan(0);

    // The demo client checks that every reply pairs with its request (packet ids); it rejects otherwise.
    const result = await runDemoClient('flyer', { port, rounds: 2, intervalMs: 50 });
    expect(result.rounds).toBe(2);
    await expect.poll(async () => Number(await page.locator('[data-testid="mock-answered"]').first().textContent()), { timeout: 10_000 }).toBeGreaterThan(4);
    const [mock] = await api.call('mock.list', {});
    expect(mock.answered).toBeGreaterThan(4);
    await page.screenshot({ path: join(SHOTS, 'mock.png') });
  });

  it('splits and coalesces a proxied flyer stream from the Chaos tab, and every frame is still decoded', async () => {
    const listener = await api.call('proxy.add', { host: '127.0.0.1', port: 0, upstream: { host: '127.0.0.1', port: flyer.port }, protocol: 'flyer' });
    await page.getByTestId('tab-chaos').click();
    await page.getByTestId('chaos-listener').selectOption(listener.id);
    await page.getByTestId('chaos-split').fill('7');
    await page.getByTestId('chaos-coalesce').fill('3');
    await page.getByTestId('chaos-delay').fill('1');
    await page.getByTestId('chaos-apply').click();
    await expect.poll(() => api.call('chaos.get', { listenerId: listener.id })).toMatchObject({ direction: 'both', splitBytes: 7, coalesce: 3, delayMs: 1 });
    await expect.poll(() => page.getByTestId('chaos-state').textContent()).toBe('on');

    const before = (await api.call('session.info', {})).frames;
    const result = await runDemoClient('flyer', { port: listener.boundPort, rounds: 2, intervalMs: 50 });
    expect(result.rounds).toBe(2);
    const conns = (await api.call('connections.list', {})).filter((c) => c.listenerId === listener.id);
    expect(conns.length).toBeGreaterThan(0);
    const rows = (await Promise.all(conns.map((c) => api.call('connection.frames', { connection: c.id })))).flat();
    expect(rows.length).toBe(result.frames);
    expect(rows.filter((r) => r.malformed || r.message === 'Skipped')).toEqual([]);
    expect((await api.call('session.info', {})).frames).toBeGreaterThanOrEqual(before + result.frames);

    // In the list too: the listener's frames, none malformed.
    await page.getByTestId('tab-packet').click();
    const filter = conns.map((c) => `tcp.stream == ${c.id}`).join(' || ');
    await page.locator('input.filter-input').fill(filter);
    await page.locator('input.filter-input').press('Enter');
    await expect.poll(() => page.getByTestId('status-frames').textContent(), { timeout: 10_000 }).toContain(`Displayed: ${rows.length}`);
    expect(await page.locator('.frame-row.malformed').count()).toBe(0);
    await page.getByTestId('tab-chaos').click();
    await page.getByTestId('chaos-clear').click();
    await expect.poll(() => api.call('chaos.get', { listenerId: listener.id })).toBeNull();
  });

  it('runs a sequence file loaded in the Sequences tab against the demo tt server, with progress to done', async () => {
    await page.getByTestId('tab-sequences').click();
    await page.getByTestId('sequence-file').setInputFiles(join(ROOT, 'electron/engine/craft/examples/tt-login.sequence.json'));
    const file = JSON.parse(readFileSync(join(ROOT, 'electron/engine/craft/examples/tt-login.sequence.json'), 'utf8')) as { steps: unknown[] };
    await expect.poll(() => page.locator('[data-testid="sequence-steps"] tbody tr').count()).toBe(file.steps.length);
    await page.getByTestId('sequence-endpoint').fill(`127.0.0.1:${tt.port}`);
    await page.getByTestId('sequence-run').click();
    await expect.poll(() => page.locator('[data-testid="sequence-runs"] [data-testid="run-state"]').first().textContent(), { timeout: 15_000 }).toBe('done');
    const [run] = await api.call('sequence.list', {});
    expect(run).toMatchObject({ state: 'done', sent: file.steps.length });
    // Light theme, for the record.
    await page.getByTestId('theme-button').click();
    await page.screenshot({ path: join(SHOTS, 'sequences-light.png') });
    await page.getByTestId('compose-button').click();
    await page.locator('[data-testid="composer-editor"][data-ready="true"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'composer-light.png') });
    await page.getByTestId('compose-button').click();
    await page.getByTestId('theme-button').click();
  });

  it('left no console errors on the page', () => {
    expect(browser.errors).toEqual([]);
  });
});

/**
 * The inspector's capture, transactions, data-source tabs, file progress and crash recovery, as a user meets them:
 * `framescope serve` in Chromium. Live capture runs on `lo` (these tests run as root on CI; elsewhere the capture
 * test is skipped with a banner); the permission message is the engine's real one, from a serve run as `nobody`.
 * Screenshots go to docs/screenshots/ with FRAMESCOPE_SCREENSHOTS=1.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fromHex } from '../../shared/codec/bytes';
import { walkTree } from '../../shared/codec/tree';
import { getProtocol } from '../../shared/protocols/index';
import { loadCap } from '../../electron/engine/capture/cap-binding';
import { runDemoClient, startDemoServer, type DemoServer } from '../../electron/engine/demo/demo';
import { SessionSpool } from '../../electron/engine/files/session-spool';
import { loadFixtures } from '../support/fixtures';
import { checkPrerequisites, engineClient, openBrowser, ROOT, startServe, type Browser, type Served } from './support/harness';
import type { WsTransport } from '../../renderer/src/api/ws-transport';

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

function captureSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'captures on Linux loopback';
  try { loadCap(); } catch (e) { return (e as Error).message; }
  if (process.getuid?.() !== 0) return 'needs root (CAP_NET_RAW) to capture on lo';
  return undefined;
}
const captureSkip = captureSkipReason();
if (captureSkip) console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING the UI live-capture test: ${captureSkip}\n${'!'.repeat(100)}\n`);

/** A pcapng of flyer traffic over many connections, about `mb` megabytes, written as the engine's spool writes. */
async function largePcapng(path: string, mb: number): Promise<number> {
  const fx = loadFixtures('flyer');
  const req = fx.find((f) => f.file === '08-execute-job.json')!.bytes;
  const res = fx.find((f) => f.file === '09-execute-job-response.json')!.bytes;
  const burst = (b: Uint8Array, n: number): Uint8Array => { const out = new Uint8Array(b.length * n); for (let i = 0; i < n; i++) out.set(b, i * b.length); return out; };
  const reqs = burst(req, 10);
  const ress = burst(res, 10);
  const spool = await SessionSpool.create(path, 'large test file');
  let t = 1_700_000_000_000_000_000n;
  let frames = 0;
  for (let conn = 0; statSync(path).size < mb * 1e6 || conn === 0; conn++) {
    spool.open(conn, { host: '10.0.0.2', port: 40000 + (conn % 20000) }, { host: '10.0.0.1', port: 20180 });
    for (let i = 0; i < 200; i++) {
      spool.record(conn, { kind: 'data', direction: 'c2s', bytes: reqs }, t += 1000n);
      spool.record(conn, { kind: 'data', direction: 's2c', bytes: ress }, t += 1000n);
      frames += 20;
    }
    spool.record(conn, { kind: 'closed' } as never, t += 1000n);
    await spool.flush();
  }
  await spool.close();
  return frames;
}

/** Collects the progress bar's percentages and operations while `run` goes on. */
async function watchProgress(page: Page, run: () => Promise<void>): Promise<{ percent: number; operation: string }[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __progress: { percent: number; operation: string }[]; __timer: number };
    w.__progress = [];
    w.__timer = window.setInterval(() => {
      const el = document.querySelector<HTMLElement>('[data-testid="operation-progress"]');
      if (el) w.__progress.push({ percent: Number(el.dataset.percent), operation: el.dataset.operation ?? '' });
    }, 15);
  });
  await run();
  return page.evaluate(() => {
    const w = window as unknown as { __progress: { percent: number; operation: string }[]; __timer: number };
    clearInterval(w.__timer);
    return w.__progress;
  });
}

describe('inspector: capture, transactions, data sources, progress, recovery', () => {
  let served: Served;
  let api: WsTransport;
  let browser: Browser;
  let page: Page;
  let flyer: DemoServer;
  let txlcn: DemoServer;
  const tmp = mkdtempSync(join(tmpdir(), 'framescope-extras-'));

  beforeAll(async () => {
    checkPrerequisites();
    served = await startServe();
    api = engineClient(served);
    flyer = await startDemoServer('flyer', { port: 0 });
    txlcn = await startDemoServer('txlcn', { port: 0 });
    browser = await openBrowser({ colorScheme: 'dark' });
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    api?.close();
    await flyer?.close();
    await txlcn?.close();
    await served?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it.skipIf(captureSkip !== undefined)('captures on lo from the capture dialog: frames, packet count, unknown drops, stop', async () => {
    await page.goto(served.url);
    await page.getByTestId('welcome').waitFor();
    await page.getByTestId('capture-button').click();
    const lo = page.locator('.iface-row[data-iface="lo"]');
    await lo.waitFor();
    await lo.click();
    await page.locator('input[name="bpf"]').fill(`tcp port ${flyer.port}`);
    await page.screenshot({ path: join(SHOTS, 'capture-dialog.png') });
    await page.getByTestId('capture-start').click();
    await expect.poll(() => page.getByTestId('status-capture').textContent()).toContain('Capturing on lo');
    await expect.poll(() => page.getByTestId('capture-button').textContent()).toContain('Stop capture');

    // Traffic on loopback that never touches Framescope: only the capture sees it.
    const run = await runDemoClient('flyer', { port: flyer.port, rounds: 3, intervalMs: 0 });
    await run.close();
    await until('the captured frames', async () => (await api.call('session.info', {})).frames >= run.frames);
    expect((await api.call('session.info', {})).frames).toBe(run.frames);
    await expect.poll(async () => Number(/Frames: ([\d\s,.\u202f\u00a0]+)/.exec((await page.getByTestId('status-frames').textContent()) ?? '')?.[1].replace(/\D/g, ''))).toBe(run.frames);
    await expect.poll(() => page.locator('.frame-row[data-frame]').count()).toBeGreaterThan(5);
    expect(await page.locator('.frame-row[data-frame]').first().textContent()).toContain('flyer');
    await expect.poll(async () => Number(/· ([\d,]+) packets/.exec((await page.getByTestId('status-capture').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0)).toBeGreaterThan(run.frames);
    // Kernel drops as counted by the packet-stats addon (Linux); "drops unknown" where it is not built.
    expect(await page.getByTestId('status-capture').textContent()).toMatch(/ · (\d[\d\s,.\u202f\u00a0]* dropped|drops unknown)$/);

    await page.getByTestId('capture-button').click();
    await expect.poll(() => page.getByTestId('status-capture').count()).toBe(0);
    expect((await api.call('session.info', {})).capture.state).toBe('idle');
    expect(browser.errors).toEqual([]);
  });

  it('groups txlcn frames by groupId in the Transactions tab; a click selects the frame; payload tabs under the bytes', async () => {
    await api.call('session.clear', {});
    if (page.url() === 'about:blank') await page.goto(served.url);
    const proxy = await api.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: txlcn.port }, protocol: 'txlcn' });
    const run = await runDemoClient('txlcn', { port: proxy.boundPort, rounds: 2, intervalMs: 0 });
    await run.close();
    await until('the txlcn frames', async () => (await api.call('session.info', {})).frames >= run.frames);
    const groups = await api.call('txlcn.groups', {});
    expect(groups.length).toBeGreaterThan(0);

    await page.getByTestId('tab-transactions').click();
    await expect.poll(() => page.locator('.tx-group').count()).toBe(groups.length);
    // Newest first; the newest group is selected and its timeline lists exactly its messages.
    const newest = groups[groups.length - 1];
    expect(await page.locator('.tx-group').first().getAttribute('data-group')).toBe(newest.groupId);
    const numbers = await page.locator('.tx-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))));
    expect(numbers).toEqual(newest.messages.map((m) => m.number));
    // The group ends in a decision the engine derived from the clg payload.
    expect(await page.locator('.tx-group.selected .tx-outcome').textContent()).toBe(newest.outcome);

    const atg = newest.messages.find((m) => m.action === 'atg') ?? newest.messages[0];
    await page.locator(`.tx-row[data-frame="${atg.number}"]`).click();
    await expect.poll(() => page.locator(`.tx-row[data-frame="${atg.number}"]`).getAttribute('class')).toContain('selected');
    await page.screenshot({ path: join(SHOTS, 'transactions.png') });

    // The selected frame is in the Frame tab; its txlcn.bytes payload gets a hex tab of its own.
    await page.getByTestId('tab-packet').click();
    await expect.poll(() => page.locator('.frame-title').textContent()).toContain(`Frame ${atg.number}:`);
    await page.getByTitle('Expand all').click();
    // The tree is virtual: scroll until the node's line is drawn.
    const bytesLine = page.locator('.tree-line[data-abbrev="txlcn.bytes"]');
    for (let i = 0; i < 40 && (await bytesLine.count()) === 0; i++) await page.getByTestId('field-tree').evaluate((el) => { el.scrollTop += 120; });
    await bytesLine.click();
    const tabs = page.getByTestId('data-source-tabs');
    await expect.poll(() => tabs.locator('.ds-tab.active').textContent()).toMatch(/^txlcn\.bytes \(\d+ B\)$/);

    const detail = await api.call('frame.detail', { number: atg.number });
    const frame = getProtocol('txlcn')!.decode(fromHex(detail.hex), detail.row.direction, { context: detail.context });
    const bytesNode = [...walkTree(frame.tree)].find(([n]) => n.abbrev === 'txlcn.bytes')![0];
    const payload = String(bytesNode.value);
    const shown = await page.getByTestId('source-hex').locator('.byte[data-offset]').evaluateAll((els) => els.map((e) => e.textContent).join(''));
    expect(shown).toBe(payload);
    // The whole payload is highlighted (its node is selected); a click on its third byte selects the field there.
    expect(await page.getByTestId('source-hex').locator('.byte.hl').count()).toBe(payload.length / 2);
    const start = bytesNode.start + bytesNode.length - payload.length / 2;
    const inner = [...walkTree(frame.tree)].map(([n]) => n).filter((n) => n.abbrev?.startsWith('txlcn.params.') && n.start <= start + 2 && start + 2 < n.start + n.length)[0];
    await page.getByTestId('source-hex').locator('.byte[data-offset="2"]').dispatchEvent('mousedown');
    await expect.poll(() => page.locator('.tree-line[aria-selected="true"]').getAttribute('data-abbrev')).toBe(inner.abbrev);
    // Still on the payload tab, now highlighting just that field, at payload offsets.
    expect(await tabs.locator('.ds-tab.active').textContent()).toMatch(/^txlcn\.bytes/);
    expect(await page.getByTestId('source-hex').locator('.byte.hl').first().getAttribute('data-offset')).toBe(String(inner.start - start));
    await page.screenshot({ path: join(SHOTS, 'data-source-tab.png') });
    await page.getByTestId('theme-button').click();
    await page.screenshot({ path: join(SHOTS, 'data-source-tab-light.png') });
    await page.getByTestId('tab-transactions').click();
    await page.locator('.tx-row').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'transactions-light.png') });
    await page.getByTestId('tab-packet').click();
    await page.getByTestId('theme-button').click();
    await page.locator('.tree-line[data-abbrev="' + inner.abbrev + '"]').first().waitFor();

    // txlcn.json carries the same payload as Base64: its own tab decodes to the same bytes.
    const b64 = tabs.locator('.ds-tab', { hasText: 'msg.bytes' });
    await b64.click();
    const decoded = await page.getByTestId('source-hex').locator('.byte[data-offset]').evaluateAll((els) => els.map((e) => e.textContent).join(''));
    expect(decoded).toBe(payload);
    // Back to the frame.
    await tabs.locator('.ds-tab', { hasText: 'Frame' }).click();
    expect(await page.getByTestId('hex-view').locator('.byte[data-offset]').first().textContent()).toBe(detail.hex.slice(0, 2));
    await api.call('proxy.remove', { id: proxy.id });
    expect(browser.errors).toEqual([]);
  });

  it('shows a progress bar while a large pcapng opens and while it is saved', async () => {
    const big = join(tmp, 'big.pcapng');
    const frames = await largePcapng(big, 40);
    if (page.url() === 'about:blank') await page.goto(served.url);
    await page.getByRole('button', { name: 'Open' }).first().click();
    await page.locator('input[placeholder="/path/to/capture.pcapng"]').fill(big);
    const opening = await watchProgress(page, async () => {
      await page.locator('.dialog button[type="submit"]').click();
      await until('the file', async () => (await api.call('session.info', {})).file === big, 60_000);
      await page.waitForTimeout(200);
    });
    expect((await api.call('session.info', {})).frames).toBe(frames);
    const partial = opening.filter((p) => p.operation === 'open' && p.percent > 0 && p.percent < 100);
    expect(partial.length).toBeGreaterThan(0);
    expect(opening.at(-1)).toEqual({ percent: 100, operation: 'open' });
    // Percentages only grow.
    for (let i = 1; i < opening.length; i++) expect(opening[i].percent).toBeGreaterThanOrEqual(opening[i - 1].percent);
    await expect.poll(() => page.getByTestId('operation-progress').count(), { timeout: 5000 }).toBe(0);

    const copy = join(tmp, 'saved.pcapng');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.locator('.dialog input').fill(copy);
    const saving = await watchProgress(page, async () => {
      await page.locator('.dialog button[type="submit"]').click();
      await until('the saved file', async () => existsSync(copy) && (await api.call('session.info', {})).file === copy, 60_000);
      await page.waitForTimeout(200);
    });
    expect(saving.some((p) => p.operation === 'save')).toBe(true);
    expect(saving.filter((p) => p.operation === 'save').at(-1)!.percent).toBe(100);
    expect(statSync(copy).size).toBeGreaterThan(30e6);
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('decodes an opened file again with Decode As and a protocol variant (hodor generation B on a port of its own)', async () => {
    const genB = loadFixtures('hodor').find((f) => f.file === '26-gen-b-fetch-job-log-request.json')!.bytes;
    const file = join(tmp, 'hodor-gen-b.pcapng');
    const spool = await SessionSpool.create(file, 'hodor generation B');
    spool.open(0, { host: '10.0.0.2', port: 41000 }, { host: '10.0.0.1', port: 9911 });
    spool.record(0, { kind: 'data', direction: 'c2s', bytes: genB }, 1_700_000_000_000_000_000n);
    spool.record(0, { kind: 'closed' } as never, 1_700_000_000_001_000_000n);
    await spool.close();

    if (page.url() === 'about:blank') await page.goto(served.url);
    await page.getByRole('button', { name: 'Open' }).first().click();
    await page.locator('input[placeholder="/path/to/capture.pcapng"]').fill(file);
    await page.locator('.dialog button[type="submit"]').click();
    const row = page.locator('.frame-row[data-frame="1"]');
    await expect.poll(async () => (await api.call('session.info', {})).file).toBe(file);
    await row.waitFor();
    // Generation B has no magic: nothing detects it, so the frame is undecoded data until the user says what it is.
    expect(await row.textContent()).not.toContain('FetchJobLogRequest');

    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Decode as/ }).click();
    expect(await page.locator('.dialog input').first().inputValue()).toBe('9911');
    // Protocols without variants show no variant choice; hodor offers its generations.
    expect(await page.getByTestId('decode-as-variant').count()).toBe(0);
    await page.getByTestId('decode-as-protocol').selectOption('hodor');
    const variants = await page.getByTestId('decode-as-variant').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(variants).toEqual(['', ...getProtocol('hodor')!.variants!.map((v) => v.id)]);
    await page.getByTestId('decode-as-variant').selectOption('B');
    for (const dismiss of await page.locator('.notice button').all()) await dismiss.click(); // earlier tests' notices
    await page.screenshot({ path: join(SHOTS, 'decode-as.png') });
    await page.locator('.dialog button[type="submit"]').click();

    await expect.poll(async () => (await page.locator('.frame-row[data-frame="1"]').textContent()) ?? '').toContain('FetchJobLogRequest');
    const detail = await api.call('frame.detail', { number: 1 });
    expect(detail.row.protocol).toBe('hodor');
    expect(detail.row.malformed).toBe(false);
    await expect.poll(() => page.locator('.notices').textContent()).toContain('port 9911 decoded as hodor (generation B');
    // Asked again, the dialog starts from the frame's protocol now.
    await page.locator('.frame-row[data-frame="1"]').click({ button: 'right' });
    await page.getByRole('menuitem', { name: /Decode as/ }).click();
    expect(await page.getByTestId('decode-as-protocol').inputValue()).toBe('hodor');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(browser.errors).toEqual([]);
  });

  it('asks before Clear throws away frames that are in no file, and does not ask once they are saved', async () => {
    await api.call('session.clear', {});
    if (page.url() === 'about:blank') await page.goto(served.url);
    const proxy = await api.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: flyer.port }, protocol: 'flyer' });
    const run = await runDemoClient('flyer', { port: proxy.boundPort, rounds: 1, intervalMs: 0 });
    await run.close();
    await until('the flyer frames', async () => (await api.call('session.info', {})).frames >= run.frames);
    expect((await api.call('session.info', {})).unsaved).toBe(run.frames);
    // The page knows them too (the engine's events are coalesced; rows of the previous session may still show).
    const framesShown = async (): Promise<number> => Number(/Frames: ([\d\s,.\u202f\u00a0]+)/.exec((await page.getByTestId('status-frames').textContent()) ?? '')?.[1].replace(/\D/g, ''));
    await expect.poll(framesShown).toBe(run.frames);
    // Cleared by another client (as the desktop menu does): the file the page had open is no longer named.
    await expect.poll(() => page.locator('.status-bar').textContent()).toContain('Live session, not saved');

    // Cancel keeps everything.
    await page.getByTestId('clear-button').click();
    await expect.poll(() => page.getByTestId('confirm-clear').textContent()).toContain(`${run.frames} frames were recorded since the last save`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('confirm-clear').count()).toBe(0);
    expect((await api.call('session.info', {})).frames).toBe(run.frames);

    // Open warns too.
    await page.getByRole('button', { name: 'Open' }).first().click();
    await expect.poll(() => page.getByTestId('open-unsaved').textContent()).toContain(`${run.frames} frames of the current session are in no file yet`);
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Saved: nothing to lose, Clear clears at once.
    const saved = join(tmp, 'before-clear.pcapng');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.locator('.dialog input').fill(saved);
    await page.locator('.dialog button[type="submit"]').click();
    await until('the saved file', async () => existsSync(saved) && (await api.call('session.info', {})).unsaved === 0);
    await expect.poll(() => page.locator('.dialog').count()).toBe(0);
    await page.getByTestId('clear-button').click();
    await until('the cleared session', async () => (await api.call('session.info', {})).frames === 0);
    expect(await page.getByTestId('confirm-clear').count()).toBe(0);

    // New unsaved frames: the dialog's Clear discards them.
    const again = await runDemoClient('flyer', { port: proxy.boundPort, rounds: 1, intervalMs: 0 });
    await again.close();
    await until('new frames', async () => (await api.call('session.info', {})).unsaved >= again.frames);
    await expect.poll(framesShown).toBe(again.frames);
    await page.getByTestId('clear-button').click();
    await page.getByTestId('confirm-clear-button').click();
    await until('the cleared session', async () => (await api.call('session.info', {})).frames === 0);
    await api.call('proxy.remove', { id: proxy.id });
    expect(browser.errors).toEqual([]);
  });

  it('offers the unsaved session of a crashed run at start, and reopens it', async () => {
    // A spool root with a run whose writer is gone: a pid that exited, a lock beside its spool.
    const root = mkdtempSync(join(tmpdir(), 'framescope-recover-root-'));
    const run = join(root, 'run-crashed');
    mkdirSync(run);
    const spoolPath = join(run, 'session-crashed.pcapng');
    const frames = await largePcapng(spoolPath, 0.2);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${spoolPath}.lock`, JSON.stringify({ pid: dead, host: hostname(), startedAt: new Date().toISOString() }));
    const second = await startServe({ env: { FRAMESCOPE_SPOOL_ROOT: root } });
    const other = await openBrowser({ colorScheme: 'light' });
    try {
      await other.page.goto(second.url);
      await other.page.getByTestId('recovery-list').waitFor();
      expect(await other.page.getByTestId('recovery-list').textContent()).toContain('run-crashed/session-crashed.pcapng');
      await other.page.screenshot({ path: join(SHOTS, 'recovery-prompt.png') });
      await other.page.getByTestId('recovery-open').click();
      await expect.poll(async () => Number(/Frames: ([\d\s,.\u202f\u00a0]+)/.exec((await other.page.getByTestId('status-frames').textContent()) ?? '')?.[1].replace(/\D/g, ''))).toBe(frames);
      await expect.poll(() => other.page.getByTestId('recovery-list').count()).toBe(0);
      expect(existsSync(spoolPath)).toBe(false);
      expect(other.errors).toEqual([]);
    } finally {
      await other.close();
      await second.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0 || captureSkip !== undefined)('shows the engine\'s permission message with the fix when capture is not permitted', async () => {
    // The same serve run as nobody: libpcap is refused, the engine explains, the dialog shows it.
    const root = mkdtempSync(join(tmpdir(), 'framescope-nobody-'));
    chmodSync(root, 0o777);
    const third = await startServe({ env: { FRAMESCOPE_SPOOL_ROOT: root, HOME: root }, wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'] });
    const other = await openBrowser({ colorScheme: 'light' });
    try {
      await other.page.goto(third.url);
      await other.page.getByTestId('capture-button').click();
      const problem = other.page.getByTestId('capture-problem');
      await other.page.locator('.iface-row, [data-testid="capture-problem"]').first().waitFor();
      // Listing may already be refused; if not, starting is.
      if (await other.page.locator('.iface-row[data-iface="lo"]').count()) {
        await other.page.locator('.iface-row[data-iface="lo"]').click();
        await other.page.getByTestId('capture-start').click();
      }
      await expect.poll(() => problem.getAttribute('data-kind')).toBe('permission');
      const fix = other.page.getByTestId('capture-fix');
      expect(await fix.locator('code').first().textContent()).toContain('setcap cap_net_raw,cap_net_admin=eip');
      await other.page.screenshot({ path: join(SHOTS, 'capture-permission.png') });
    } finally {
      await other.close();
      await third.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});

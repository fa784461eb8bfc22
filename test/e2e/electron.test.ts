/**
 * The desktop app for real, through Playwright's Electron driver: a pcapng recorded from real traffic (the demo's
 * flyer peers through the engine's own proxy) is opened from the command line, the frame list fills, clicking a
 * frame shows its field tree; the page holds exactly the contract's bridge and no Node; a second launch hands its
 * file to the running instance.
 *
 * It needs the Electron binary, which cannot be downloaded on every machine: it runs where node_modules/electron
 * has one or ELECTRON_OVERRIDE_DIST_PATH points to an Electron dist folder, and says SKIPPED loudly elsewhere. On
 * Linux without a display it starts Xvfb (apt package xvfb).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/api/engine';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';

const root = resolve(import.meta.dirname, '../..');
const electron = findElectronBinary();

function whichXvfb(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const xvfb = needsDisplay ? whichXvfb() : undefined;
const skipReason = !electron.path
  ? `Electron binary not available (set ELECTRON_OVERRIDE_DIST_PATH): ${electron.reason}`
  : needsDisplay && !xvfb ? 'no display and no Xvfb to make one (apt-get install xvfb)' : undefined;

if (skipReason) {
  const line = `SKIPPED: ${skipReason}`;
  const bar = '!'.repeat(Math.min(line.length, 100));
  console.warn(`\n${bar}\n${line}\n${bar}\n`);
}

const until = async (what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A pcapng of real flyer traffic: the demo's server and client talking through the engine's proxy. */
async function recordCapture(path: string): Promise<number> {
  const engine = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-e2e-spool-')) });
  try {
    await engine.call('demo.start', { protocol: 'flyer' });
    await until('demo traffic', async () => (await engine.call('session.info', {})).frames >= 6);
    await engine.call('demo.stop', {});
    return (await engine.call('session.save', { path })).frames;
  } finally {
    await engine.close();
  }
}

describe.skipIf(skipReason !== undefined)('desktop app (Electron)', () => {
  let app: ElectronApplication;
  let page: Page;
  let display: ChildProcess | undefined;
  let capture: string;
  let frames: number;
  let env: Record<string, string>;
  const work = mkdtempSync(join(tmpdir(), 'fs-e2e-'));

  beforeAll(async () => {
    const build = (args: string[]) => {
      const r = spawnSync(args[0]!, args.slice(1), { cwd: root, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed`);
    };
    build([process.execPath, 'scripts/build-app.mjs']);
    if (!existsSync(join(root, 'dist/renderer/index.html'))) build(['npm', 'run', '--silent', 'build:renderer']);

    capture = join(work, 'flyer-demo.pcapng');
    frames = await recordCapture(capture);

    env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    delete env.ELECTRON_RUN_AS_NODE;
    env.FRAMESCOPE_USER_DATA_DIR = join(work, 'profile');
    if (xvfb) {
      const n = 90 + Math.floor(Math.random() * 400);
      display = spawn(xvfb, [`:${n}`, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
      await until('Xvfb', async () => existsSync(`/tmp/.X11-unix/X${n}`), 10_000);
      env.DISPLAY = `:${n}`;
    }
    app = await _electron.launch({
      executablePath: electron.path!,
      args: [join(root, 'dist/app/main.cjs'), capture],
      cwd: root,
      env,
      // Chromium refuses its sandbox as root (CI containers); elsewhere the test runs with it.
      chromiumSandbox: process.getuid?.() !== 0,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 180_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    display?.kill();
  });

  it('loads the UI from app://framescope with the bridge and without Node', async () => {
    expect(page.url()).toMatch(/^app:\/\/framescope\//);
    const surface = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return {
        bridge: Object.keys(w.framescope as object).sort(),
        require: typeof w.require, process: typeof w.process, ipc: typeof w.ipcRenderer,
      };
    });
    expect(surface).toEqual({ bridge: ['call', 'on'], require: 'undefined', process: 'undefined', ipc: 'undefined' });
  });

  it('opens the file given on the command line: title, frame count over IPC, rows on screen', async () => {
    const title = () => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle() ?? '');
    await until('the window title', async () => (await title()).startsWith(basename(capture)));
    const info = await page.evaluate(() => (window as unknown as { framescope: { call(c: string, p: object): Promise<{ frames: number; file?: string }> } }).framescope.call('session.info', {}));
    expect(info.frames).toBe(frames);
    expect(info.file).toBe(capture);
    const rows = page.locator('[role="grid"][aria-label="Frames"] [role="row"][aria-rowindex]');
    await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await rows.first().textContent()).toMatch(/flyer/i);
  });

  it('shows the decoded field tree of the frame clicked', async () => {
    await page.locator('[role="grid"][aria-label="Frames"] [role="row"][aria-rowindex="1"]').click();
    const items = page.locator('[data-testid="field-tree"] [role="treeitem"][data-abbrev]');
    await items.first().waitFor({ state: 'visible', timeout: 30_000 });
    const abbrevs = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-abbrev') ?? ''));
    expect(abbrevs.some((a) => a === 'flyer' || a.startsWith('flyer.'))).toBe(true);
    // Byte ranges are what the hex view highlights: present and non-negative on every node.
    const ranges = await items.evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-start')), Number(e.getAttribute('data-length'))]));
    expect(ranges.every(([s, l]) => Number.isInteger(s) && s! >= 0 && Number.isInteger(l) && l! >= 0)).toBe(true);
  });

  it('refuses calls outside the contract and navigation away from the app', async () => {
    const refused = await page.evaluate(() => (window as unknown as { framescope: { call(c: string, p: object): Promise<unknown> } })
      .framescope.call('fs.readFile', {}).then(() => 'answered', (e: Error) => e.message));
    expect(refused).toMatch(/unknown command/);
    await page.evaluate(() => { window.location.href = 'https://example.com/'; });
    await new Promise((r) => setTimeout(r, 500));
    expect(page.url()).toMatch(/^app:\/\/framescope\//);
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
  });

  it('a second launch hands its file to the running app and exits', async () => {
    const second = join(work, 'second-copy.pcapng');
    copyFileSync(capture, second);
    const r = spawnSync(electron.path!, [join(root, 'dist/app/main.cjs'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), second], {
      cwd: root, env, timeout: 60_000,
    });
    expect(r.status).toBe(0);
    await until('the second file to open in the first instance', async () => {
      const info = await page.evaluate(() => (window as unknown as { framescope: { call(c: string, p: object): Promise<{ file?: string }> } }).framescope.call('session.info', {}));
      return info.file === second;
    });
    const recent = await app.evaluate(({ Menu }) => {
      const item = Menu.getApplicationMenu()?.getMenuItemById('file.open-recent');
      return item?.submenu?.items.map((i) => i.label) ?? [];
    });
    expect(recent[0]).toContain(basename(second));
    expect(recent[1]).toContain(basename(capture));
  });
});

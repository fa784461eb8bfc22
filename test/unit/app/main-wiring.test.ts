/**
 * The composition root (electron/app/main.ts) with 'electron' replaced by a small fake, so its wiring runs
 * where the Electron binary does not: the window gets the baseline options and hardening, the IPC channel reaches
 * the real engine, the file named on the command line and a second instance's file are opened, the menu's Open
 * and Save As go through the dialogs to the engine, recent files and bounds are remembered, and quitting closes
 * the engine. The real Electron run is test/e2e/electron.test.ts.
 */
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const FIXTURE = join(root, 'test/fixtures/pcap/ipv6-nsec.pcapng');
const SECOND = join(root, 'test/fixtures/pcap/ipv4-usec.pcap');

interface FakeWindow extends EventEmitter {
  opts: { webPreferences: Record<string, unknown> };
  url?: string;
  title: string;
  webContents: EventEmitter & { id: number; sent: Array<[string, unknown]>; openHandler?: (d: { url: string }) => { action: string } };
}
type Handler = (...args: never[]) => unknown;
type MenuItem = { id?: string; label?: string; role?: string; click?: () => unknown; submenu?: MenuItem[] };

const fake = vi.hoisted(() => ({
  userData: '',
  windows: [] as FakeWindow[],
  app: undefined as unknown as EventEmitter & { quit: ReturnType<typeof import('vitest').vi.fn> },
  privileged: [] as unknown[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  ipc: new Map<string, Handler>(),
  menu: [] as MenuItem[],
  permissionRequest: undefined as undefined | Handler,
  beforeRequest: undefined as undefined | Handler,
  openPaths: [] as string[],
  savePath: '',
  messages: [] as unknown[],
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const { join: j } = await import('node:path');
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    setPath: (name: string, path: string) => { if (name === 'userData') fake.userData = path; },
    getPath: (name: string) => (name === 'userData' ? fake.userData : j(fake.userData, name)),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    isReady: () => true,
    quit: vi.fn(),
    exit: vi.fn(),
    addRecentDocument: vi.fn(),
    clearRecentDocuments: vi.fn(),
    getVersion: () => '0.1.0',
  });
  fake.app = app;
  let nextId = 40;
  class BrowserWindow extends Emitter {
    webContents: FakeWindow['webContents'];
    title = 'Framescope';
    url?: string;
    constructor(public opts: FakeWindow['opts']) {
      super();
      const wc = Object.assign(new Emitter(), {
        id: nextId++,
        sent: [] as Array<[string, unknown]>,
        send(channel: string, message: unknown) { wc.sent.push([channel, message]); },
        isDestroyed: () => false,
        setWindowOpenHandler(h: (d: { url: string }) => { action: string }) { (wc as FakeWindow['webContents']).openHandler = h; },
      });
      this.webContents = wc;
      fake.windows.push(this as unknown as FakeWindow);
      app.emit('web-contents-created', {}, wc);
    }
    loadURL(url: string) { this.url = url; return Promise.resolve(); }
    show() {}
    focus() {}
    restore() {}
    maximize() {}
    isMinimized() { return false; }
    isDestroyed() { return false; }
    isMaximized() { return false; }
    setTitle(t: string) { this.title = t; }
    getNormalBounds() { return { x: 11, y: 22, width: 1111, height: 777 }; }
  }
  return {
    app,
    BrowserWindow,
    ipcMain: { handle: (ch: string, h: Handler) => { fake.ipc.set(ch, h); }, removeHandler: (ch: string) => { fake.ipc.delete(ch); } },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => { fake.privileged.push(...s); },
      handle: (scheme: string, h: (request: Request) => Promise<Response>) => { fake.protocolHandlers.set(scheme, h); },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Handler) => { fake.permissionRequest = h; },
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        webRequest: { onBeforeRequest: (h: Handler) => { fake.beforeRequest = h; }, onHeadersReceived: () => undefined },
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    Menu: { buildFromTemplate: (t: MenuItem[]) => t, setApplicationMenu: (m: MenuItem[]) => { fake.menu = m; } },
    dialog: {
      showOpenDialog: async () => ({ canceled: false, filePaths: fake.openPaths }),
      showSaveDialog: async () => ({ canceled: false, filePath: fake.savePath }),
      showMessageBox: async (...a: unknown[]) => { fake.messages.push(a); return { response: 0 }; },
      showErrorBox: (...a: unknown[]) => { fake.messages.push(a); },
    },
  };
});

const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const all = (items: MenuItem[]): MenuItem[] => items.flatMap((i) => [i, ...(i.submenu ? all(i.submenu) : [])]);
const menuItem = (id: string) => all(fake.menu).find((i) => i.id === id)!;

let win: FakeWindow;
const profile = mkdtempSync(join(tmpdir(), 'fs-main-'));
const trusted = () => ({ sender: { id: win.webContents.id }, senderFrame: { url: 'app://framescope/index.html', parent: null } });
const call = async (command: string, params: object, event: object = trusted()) =>
  (fake.ipc.get('framescope:call') as unknown as (e: object, m: object) => Promise<{ result?: unknown; error?: { message: string } }>)(event, { id: 1, command, params });
const argv = process.argv;

beforeAll(async () => {
  process.env.FRAMESCOPE_USER_DATA_DIR = profile;
  process.argv = ['/opt/Framescope/framescope', '--enable-logging', FIXTURE];
  await import('../../../electron/app/main');
  process.argv = argv;
  await until('the window', () => fake.windows.length === 1);
  win = fake.windows[0]!;
});

afterAll(() => {
  delete process.env.FRAMESCOPE_USER_DATA_DIR;
});

describe('main.ts wiring (fake Electron)', () => {
  it('registers app:// as privileged before ready and serves it with the CSP', async () => {
    expect(fake.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    const res = await fake.protocolHandlers.get('app')!(new Request('app://framescope/index.html'));
    // The source tree has no electron/renderer: the answer says the UI is not built (dist/app has ../renderer).
    expect([200, 404]).toContain(res.status);
    // Development runs may keep their own profile (and single-instance lock).
    expect(fake.userData).toBe(profile);
  });

  it('creates the window with the baseline and loads the app origin', () => {
    expect(win.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, devTools: true });
    expect(String(win.opts.webPreferences.preload)).toMatch(/preload\.cjs$/);
    expect(win.url).toBe('app://framescope/index.html');
  });

  it('hardens the window: navigation and window.open refused, permissions denied, requests outside cancelled', () => {
    const nav = { url: 'https://evil.example/', preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', nav);
    expect(nav.preventDefault).toHaveBeenCalled();
    const attach = { preventDefault: vi.fn() };
    win.webContents.emit('will-attach-webview', attach);
    expect(attach.preventDefault).toHaveBeenCalled();
    expect(win.webContents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const decided: boolean[] = [];
    (fake.permissionRequest as unknown as (...a: unknown[]) => void)(win.webContents, 'media', (ok: boolean) => decided.push(ok), { requestingUrl: 'app://framescope/index.html' });
    expect(decided).toEqual([false]);
    const cancelled: unknown[] = [];
    (fake.beforeRequest as unknown as (...a: unknown[]) => void)({ url: 'https://cdn.example/x.js' }, (r: unknown) => cancelled.push(r));
    (fake.beforeRequest as unknown as (...a: unknown[]) => void)({ url: 'app://framescope/assets/x.js' }, (r: unknown) => cancelled.push(r));
    expect(cancelled).toEqual([{ cancel: true }, { cancel: false }]);
  });

  it('answers our page over IPC and refuses anyone else', async () => {
    expect(await call('protocols.list', {})).toMatchObject({ result: expect.arrayContaining([expect.objectContaining({ id: 'flyer' })]) });
    const evil = await call('session.info', {}, { sender: { id: 999 }, senderFrame: { url: 'app://framescope/index.html', parent: null } });
    expect(evil.error?.message).toMatch(/untrusted sender/);
  });

  it('opens the file from the command line once the page has loaded, and titles the window', async () => {
    expect(((await call('session.info', {})).result as { frames: number }).frames).toBe(0);
    win.webContents.emit('did-finish-load');
    await until('the file to open', async () => ((await call('session.info', {})).result as { file?: string }).file === FIXTURE);
    expect(((await call('session.info', {})).result as { frames: number }).frames).toBeGreaterThan(0);
    expect(win.title).toBe(`${basename(FIXTURE)} — Framescope`);
    expect(win.webContents.sent.some(([channel, m]) => channel === 'framescope:event' && (m as { event: string }).event === 'session.progress')).toBe(true);
  });

  it('a second instance’s file opens here, and both are in Open Recent and the state file', async () => {
    fake.app.emit('second-instance', {}, ['/opt/Framescope/framescope', basename(SECOND)], join(root, 'test/fixtures/pcap'));
    await until('the second file', async () => ((await call('session.info', {})).result as { file?: string }).file === SECOND);
    await until('the menu', () => (menuItem('file.open-recent').submenu ?? []).length >= 4);
    const labels = menuItem('file.open-recent').submenu!.map((i) => i.label ?? '');
    expect(labels[0]).toContain(SECOND);
    expect(labels[1]).toContain(FIXTURE);
    const state = JSON.parse(readFileSync(join(fake.userData, 'framescope-state.json'), 'utf8'));
    expect(state.recent).toEqual([SECOND, FIXTURE]);
  });

  it('File ▸ Open and Save As go through the native dialogs to the engine', async () => {
    fake.openPaths = [FIXTURE];
    await menuItem('file.open').click!();
    await until('Open', async () => ((await call('session.info', {})).result as { file?: string }).file === FIXTURE);
    fake.savePath = join(mkdtempSync(join(tmpdir(), 'fs-save-')), 'saved');
    await menuItem('file.save-as').click!();
    await until('Save As', () => existsSync(`${fake.savePath}.pcapng`));
    // A pcapng Section Header Block starts the file.
    expect(readFileSync(`${fake.savePath}.pcapng`).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(statSync(`${fake.savePath}.pcapng`).size).toBeGreaterThan(100);
    expect(win.webContents.sent.some(([, m]) => (m as { event: string; data: { message?: string } }).event === 'notice'
      && /Saved \d+ frames/.test((m as { data: { message: string } }).data.message))).toBe(true);
  });

  it('a recent file that has gone is reported in a dialog and dropped from the recent files', async () => {
    const gone = join(mkdtempSync(join(tmpdir(), 'fs-gone-')), 'gone.pcapng');
    copyFileSync(FIXTURE, gone);
    fake.openPaths = [gone];
    await menuItem('file.open').click!();
    await until('the copy to open', async () => ((await call('session.info', {})).result as { file?: string }).file === gone);
    const recent = () => menuItem('file.open-recent').submenu!.map((i) => i.label ?? '');
    expect(recent()[0]).toContain(gone);
    rmSync(gone);
    const before = fake.messages.length;
    await menuItem('file.open-recent').submenu![0]!.click!();
    await until('the error dialog', () => fake.messages.length > before);
    expect(JSON.stringify(fake.messages.at(-1))).toMatch(/Cannot open gone\.pcapng/);
    expect(recent().some((l) => l.includes(gone))).toBe(false);
  });

  it('remembers the window bounds when it closes', () => {
    win.emit('close');
    const state = JSON.parse(readFileSync(join(fake.userData, 'framescope-state.json'), 'utf8'));
    expect(state.window).toEqual({ x: 11, y: 22, width: 1111, height: 777 });
  });

  it('quitting waits for the engine to close, then quits', async () => {
    const willQuit = { preventDefault: vi.fn() };
    fake.app.emit('will-quit', willQuit);
    expect(willQuit.preventDefault).toHaveBeenCalled();
    await until('app.quit after the engine closed', () => fake.app.quit.mock.calls.length > 0);
    expect(fake.ipc.has('framescope:call')).toBe(false);
    // The second will-quit (from that app.quit) goes through.
    const again = { preventDefault: vi.fn() };
    fake.app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});

/**
 * The desktop app's composition root: one Engine (the same as `framescope serve` runs), the window, the IPC
 * transport, the menu, native dialogs and what the app remembers. Everything with a decision in it lives in the
 * other files of this folder as a plain function; this file only wires Electron to them.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session } from 'electron';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaptureStatus, ProxyListenerInfo } from '../../shared/model/session';
import { Engine } from '../engine/api/engine';
import { listInterfaces } from '../engine/capture/interfaces';
import { DEMO_PROTOCOLS } from '../engine/demo/demo';
import { APP_ORIGIN, APP_URL, registerAppScheme, serveAppScheme } from './app-protocol';
import { AppStateStore, STATE_FILE } from './app-state';
import { bindIpc, originOf, type IpcBinding } from './ipc';
import { captureFilesFromArgv } from './launch-files';
import { capturePermissionText, menuTemplate, type MenuActions, type MenuState } from './menu';
import { boundsOf, fitBounds, hardenSession, hardenWebContents, windowOptions } from './window';

// dist/app/main.cjs after bundling: the preload sits beside it and the renderer in dist/renderer.
const here = dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = join(here, '..', 'renderer');
const PRELOAD = join(here, 'preload.cjs');
const dev = !app.isPackaged;
// Development only: load the renderer from Vite's dev server (hot reload) instead of dist/renderer.
const devServer = dev ? process.env.FRAMESCOPE_DEV_SERVER_URL : undefined;
const devOrigin = devServer ? originOf(devServer) : undefined;
const origins = (): readonly string[] => (devOrigin ? [APP_ORIGIN, devOrigin] : [APP_ORIGIN]);
const log = (line: string) => console.warn(`framescope: ${line}`);

// Tests and parallel development runs keep their own profile (and so their own single-instance lock).
if (dev && process.env.FRAMESCOPE_USER_DATA_DIR) app.setPath('userData', process.env.FRAMESCOPE_USER_DATA_DIR);

registerAppScheme(protocol);

let window: BrowserWindow | undefined;
let pageLoaded = false;
/** Files asked for before the page could show them (command line, macOS open-file before ready). */
const pending: string[] = captureFilesFromArgv(process.argv, process.cwd());

// macOS hands files to a running app (and at launch) this way; it can fire before 'ready'.
app.on('open-file', (event, path) => {
  event.preventDefault();
  openWhenReady(path);
});

if (!app.requestSingleInstanceLock()) {
  // Another Framescope is running: it received our argv through 'second-instance' and opens the file there.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const [file] = captureFilesFromArgv(argv, workingDirectory);
    if (file) openWhenReady(file);
    if (window) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    } else if (app.isReady()) {
      createWindow();
    }
  });
  app.whenReady().then(start).catch((e: unknown) => {
    dialog.showErrorBox('Framescope could not start', e instanceof Error ? e.stack ?? e.message : String(e));
    app.exit(1);
  });
}

let engine: Engine;
let store: AppStateStore;
let binding: IpcBinding;
let capturing = false;
let proxies = 0;

function start(): void {
  engine = new Engine();
  store = new AppStateStore(join(app.getPath('userData'), STATE_FILE));
  serveAppScheme(protocol, RENDERER_DIR);
  hardenSession(session.defaultSession, origins, devOrigin);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, origins, log));

  binding = bindIpc({
    ipcMain,
    engine,
    policy: () => ({ webContentsId: window && !window.isDestroyed() ? window.webContents.id : undefined, origins: origins() }),
    target: () => (window && !window.isDestroyed() ? window.webContents : undefined),
    onRejected: (reason, sender) => log(`IPC call refused (${reason}) from webContents ${sender.webContentsId} at ${sender.frameUrl ?? '?'}`),
  });
  engine.on((event, data) => {
    if (event === 'capture.status') { capturing = (data as CaptureStatus).state === 'capturing'; refreshMenu(); }
    if (event === 'proxy.status') { proxies = (data as ProxyListenerInfo[]).length; refreshMenu(); }
  });

  refreshMenu();
  createWindow();

  app.on('activate', () => { if (!window) createWindow(); });
  app.on('window-all-closed', () => { if (process.platform !== 'darwin') app.quit(); });
  let closed = false;
  let closing = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    binding.dispose();
    engine.close().catch((e: unknown) => log(`closing the engine: ${String(e)}`)).finally(() => { closed = true; app.quit(); });
  });
}

function createWindow(): void {
  const bounds = fitBounds(store.window, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(windowOptions({ preload: PRELOAD, dev, bounds }));
  window = win;
  pageLoaded = false;
  if (bounds.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  // The title names the open file; the page does not get to change it.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.on('close', () => store.setWindow(boundsOf(win)));
  win.on('closed', () => { if (window === win) window = undefined; });
  win.webContents.on('did-finish-load', () => {
    pageLoaded = true;
    const file = pending.shift();
    pending.length = 0;
    if (file) void openFile(file);
  });
  void win.loadURL(devServer ?? APP_URL);
}

function openWhenReady(path: string): void {
  if (app.isReady() && window && pageLoaded) void openFile(path);
  else pending.push(path);
}

function setTitle(file: string | undefined): void {
  window?.setTitle(file ? `${basename(file)} — Framescope` : 'Framescope');
}

async function showError(title: string, error: unknown): Promise<void> {
  const detail = error instanceof Error ? error.message : String(error);
  if (window) await dialog.showMessageBox(window, { type: 'error', message: title, detail });
  else dialog.showErrorBox(title, detail);
}

/**
 * Before Clear or Open replaces the session: frames in no file yet are lost unless saved, so ask (as Wireshark does).
 * True when the caller may go on.
 */
async function mayDiscard(what: string): Promise<boolean> {
  const { unsaved } = engine.info();
  if (unsaved === 0 || !window) return true;
  const r = await dialog.showMessageBox(window, {
    type: 'warning', buttons: ['Save…', `${what} without saving`, 'Cancel'], defaultId: 0, cancelId: 2,
    message: `Save the ${unsaved.toLocaleString('en-US')} frames recorded since the last save?`,
    detail: `${what} replaces the session; frames in no file are lost.`,
  });
  if (r.response === 2) return false;
  if (r.response === 1) return true;
  await actions.saveAs();
  return engine.info().unsaved === 0;
}

async function openFile(path: string): Promise<void> {
  if (!(await mayDiscard('Open'))) return;
  try {
    await engine.call('session.open', { path });
    store.addRecent(path);
    app.addRecentDocument(path);
    setTitle(path);
  } catch (e) {
    if (!existsSync(path)) store.removeRecent(path);
    await showError(`Cannot open ${basename(path)}`, e);
  }
  refreshMenu();
}

const actions: MenuActions = {
  async open() {
    const options = {
      title: 'Open Capture',
      properties: ['openFile' as const],
      filters: [{ name: 'Captures (pcapng, pcap)', extensions: ['pcapng', 'pcap', 'cap'] }, { name: 'All files', extensions: ['*'] }],
    };
    const r = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    if (!r.canceled && r.filePaths[0]) await openFile(r.filePaths[0]);
  },
  openRecent: (path) => void openFile(path),
  clearRecent() {
    store.clearRecent();
    app.clearRecentDocuments();
    refreshMenu();
  },
  async saveAs() {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
    const options = {
      title: 'Save As',
      defaultPath: join(app.getPath('documents'), `framescope-${stamp}.pcapng`),
      filters: [{ name: 'pcapng (Wireshark)', extensions: ['pcapng'] }],
    };
    const r = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (r.canceled || !r.filePath) return;
    const path = extname(r.filePath) ? r.filePath : `${r.filePath}.pcapng`;
    try {
      const saved = await engine.call('session.save', { path });
      store.addRecent(saved.path);
      app.addRecentDocument(saved.path);
      setTitle(saved.path);
      engine.emit('notice', { severity: 'info', message: `Saved ${saved.frames} frames to ${saved.path}` });
      refreshMenu();
    } catch (e) {
      await showError('Cannot save the session', e);
    }
  },
  async clearSession() {
    if (!(await mayDiscard('Clear'))) return;
    await engine.call('session.clear', {});
    setTitle(undefined);
  },
  async startCapture(iface) {
    try {
      await engine.call('capture.start', { interface: iface });
    } catch (e) {
      await showError(`Cannot capture on ${iface}`, e);
    }
  },
  stopCapture: () => void engine.call('capture.stop', {}),
  async startDemo(protocolId) {
    try {
      await engine.call('demo.start', protocolId ? { protocol: protocolId } : {});
    } catch (e) {
      await showError('Cannot start the demo', e);
    }
  },
  stopDemo: () => void engine.call('demo.stop', {}),
  async removeAllProxies() {
    for (const p of engine.proxyInfos()) await engine.call('proxy.remove', { id: p.id }).catch(() => undefined);
  },
  async showCapturePermissions() {
    const options = { type: 'info' as const, message: 'Live capture permissions', detail: capturePermissionText(process.platform) };
    if (window) await dialog.showMessageBox(window, options);
    else await dialog.showMessageBox(options);
  },
  async about() {
    const options = {
      type: 'info' as const,
      message: `Framescope ${app.getVersion()}`,
      detail: `Inspector, proxy and packet crafter for custom binary TCP protocols.\n\nElectron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
    };
    if (window) await dialog.showMessageBox(window, options);
    else await dialog.showMessageBox(options);
  },
};

function interfaces(): MenuState['interfaces'] {
  try {
    return listInterfaces().map((i) => ({ name: i.name, ...(i.description ? { description: i.description } : {}) }));
  } catch (e) {
    // Typically cap not built for this Electron, or no permission: the menu says why instead of failing.
    return { unavailable: (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 120) };
  }
}

function refreshMenu(): void {
  const state: MenuState = {
    platform: process.platform, dev, recent: store.recent, capturing, interfaces: interfaces(), proxies,
    demoProtocols: DEMO_PROTOCOLS,
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(state, actions)));
}

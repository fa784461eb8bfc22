/**
 * The main window and the security baseline of DESIGN.md: an isolated, sandboxed renderer without Node, a CSP on
 * every page, navigation, new windows, webviews and permission requests refused. The decisions are plain functions
 * (tested without Electron); this file imports only types from 'electron', main.ts hands in the constructors.
 */
import type {
  BrowserWindow, BrowserWindowConstructorOptions, Rectangle, Session, WebContents,
} from 'electron';
import { originOf } from './ipc';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820 };
const MIN_WIDTH = 720;
const MIN_HEIGHT = 480;

export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (dist/app/preload.cjs). */
  preload: string;
  /** Development (unpackaged) build: DevTools are available only then. */
  dev: boolean;
  bounds?: WindowBounds;
  icon?: string;
}

/** The BrowserWindow options; every webPreference that matters for security is spelled out, not left to defaults. */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const b = input.bounds ?? DEFAULT_BOUNDS;
  return {
    title: 'Framescope',
    width: Math.max(b.width, MIN_WIDTH),
    height: Math.max(b.height, MIN_HEIGHT),
    ...(b.x !== undefined && b.y !== undefined ? { x: b.x, y: b.y } : { center: true }),
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    backgroundColor: '#1e1e1e',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      plugins: false,
      enableWebSQL: false,
      // A file dropped on the window must not replace the app with a file:// page.
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: input.dev,
    },
  };
}

/**
 * The CSP for pages of the Vite dev server (development only): its React refresh preamble is an inline script and
 * HMR talks over a WebSocket to the same host.
 */
export function devServerCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  return [
    "default-src 'self'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:", "font-src 'self' data:", `connect-src 'self' ${ws}`, "worker-src 'self' blob:",
    "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
  ].join('; ');
}

/** Navigation is allowed only within our own origins (a reload or the dev server's full reload); never elsewhere. */
export function navigationAllowed(url: string, origins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== undefined && origins.includes(origin);
}

/**
 * Every permission request is refused, with one exception: writing plain text to the clipboard from our own page
 * (Copy value / Copy as hex in the packet tree is a core feature, and Chromium asks for it as a permission).
 */
export function permissionAllowed(permission: string, requestingUrl: string | undefined, origins: readonly string[]): boolean {
  return permission === 'clipboard-sanitized-write' && navigationAllowed(requestingUrl ?? '', origins);
}

/** Schemes and origins the renderer may load anything from; everything else is cancelled before it leaves. */
export function requestAllowed(url: string, origins: readonly string[]): boolean {
  if (/^(data|blob|devtools|chrome-extension):/i.test(url)) return true;
  // The dev server's hot-reload socket is ws:// on the dev server's own host.
  return navigationAllowed(url.replace(/^ws(s?):/i, 'http$1:'), origins);
}

/** Applied to every webContents the app creates (app 'web-contents-created'), so nothing escapes the baseline. */
export function hardenWebContents(contents: WebContents, origins: () => readonly string[], log: (line: string) => void): void {
  contents.on('will-navigate', (event) => {
    if (!navigationAllowed(event.url, origins())) { event.preventDefault(); log(`navigation to ${event.url} refused`); }
  });
  contents.on('will-frame-navigate', (event) => {
    if (!navigationAllowed(event.url, origins())) { event.preventDefault(); log(`frame navigation to ${event.url} refused`); }
  });
  contents.on('will-redirect', (event) => {
    if (!navigationAllowed(event.url, origins())) { event.preventDefault(); log(`redirect to ${event.url} refused`); }
  });
  contents.on('will-attach-webview', (event) => { event.preventDefault(); log('webview refused'); });
  contents.setWindowOpenHandler(({ url }) => { log(`window.open(${url}) refused`); return { action: 'deny' }; });
}

/** Permissions, device access and the network of the app's session. */
export function hardenSession(session: Session, origins: () => readonly string[], devOrigin: string | undefined): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionAllowed(permission, details.requestingUrl, origins()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, origins()));
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !requestAllowed(details.url, origins()) }));
  if (devOrigin) {
    const csp = devServerCsp(devOrigin);
    session.webRequest.onHeadersReceived({ urls: [`${devOrigin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
}

/**
 * Saved bounds, if they still fall on a screen (a monitor may have gone since); otherwise the saved size, centred.
 * A window is on a screen when at least 100×50 of it lies within some display's work area.
 */
export function fitBounds(saved: WindowBounds | undefined, workAreas: readonly Rectangle[]): WindowBounds {
  if (!saved) return DEFAULT_BOUNDS;
  const width = Math.max(MIN_WIDTH, Math.round(saved.width));
  const height = Math.max(MIN_HEIGHT, Math.round(saved.height));
  const size: WindowBounds = { width, height, ...(saved.maximized ? { maximized: true } : {}) };
  if (saved.x === undefined || saved.y === undefined) return size;
  const { x, y } = saved;
  const visible = workAreas.some((a) => {
    const w = Math.min(x + width, a.x + a.width) - Math.max(x, a.x);
    const h = Math.min(y + height, a.y + a.height) - Math.max(y, a.y);
    return w >= 100 && h >= 50;
  });
  return visible ? { ...size, x: Math.round(x), y: Math.round(y) } : size;
}

/** What to remember of a window: its normal (not maximized) bounds and whether it was maximized. */
export function boundsOf(window: Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized'>): WindowBounds {
  const b = window.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, ...(window.isMaximized() ? { maximized: true } : {}) };
}

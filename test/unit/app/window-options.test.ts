/**
 * The window meets DESIGN.md's security baseline: the BrowserWindow options, the CSP every page is served with,
 * and the decisions behind navigation, permissions, requests and the app:// file mapping.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_CSP, APP_ORIGIN, contentType, resolveAppFile, serveAppScheme } from '../../../electron/app/app-protocol';
import {
  DEFAULT_BOUNDS, devServerCsp, fitBounds, navigationAllowed, permissionAllowed, requestAllowed, windowOptions,
} from '../../../electron/app/window';

const origins = [APP_ORIGIN];

describe('windowOptions', () => {
  const opts = windowOptions({ preload: '/opt/Framescope/resources/app.asar/dist/app/preload.cjs', dev: false });
  const web = opts.webPreferences!;

  it('isolates and sandboxes the renderer, without Node anywhere', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the risky features off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.plugins).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.enableBlinkFeatures).toBeUndefined();
    expect(web.additionalArguments).toBeUndefined();
  });

  it('loads our preload and offers DevTools only in development', () => {
    expect(web.preload).toMatch(/preload\.cjs$/);
    expect(web.devTools).toBe(false);
    expect(windowOptions({ preload: '/p.cjs', dev: true }).webPreferences!.devTools).toBe(true);
  });

  it('uses remembered bounds, the default size when there are none, and never less than the minimum', () => {
    expect(opts).toMatchObject({ width: DEFAULT_BOUNDS.width, height: DEFAULT_BOUNDS.height, center: true, show: false });
    const placed = windowOptions({ preload: '/p.cjs', dev: false, bounds: { x: 40, y: 30, width: 1000, height: 700 } });
    expect(placed).toMatchObject({ x: 40, y: 30, width: 1000, height: 700 });
    expect(placed.center).toBeUndefined();
    const tiny = windowOptions({ preload: '/p.cjs', dev: false, bounds: { width: 10, height: 10 } });
    expect(tiny.width).toBe(tiny.minWidth);
    expect(tiny.height).toBe(tiny.minHeight);
  });
});

describe('the CSP', () => {
  const directives = new Map(APP_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));

  it('allows scripts from our origin only: no inline, no eval, no remote', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(APP_CSP).not.toMatch(/unsafe-eval|https?:|\*/);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
  });

  it('in development allows only what Vite needs, on its own origin', () => {
    const dev = devServerCsp('http://localhost:5173');
    expect(dev).toContain("connect-src 'self' ws://localhost:5173");
    expect(dev).not.toMatch(/unsafe-eval|\*/);
  });
});

describe('navigation, permissions and requests', () => {
  it('navigation stays on our origin', () => {
    expect(navigationAllowed('app://framescope/index.html', origins)).toBe(true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://other/index.html', 'javascript:alert(1)', 'about:blank', 'data:text/html,hi']) {
      expect(navigationAllowed(url, origins), url).toBe(false);
    }
  });

  it('every permission is refused except clipboard writes from our page', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'fullscreen', 'clipboard-read', 'hid', 'serial', 'usb']) {
      expect(permissionAllowed(p, 'app://framescope/index.html', origins), p).toBe(false);
    }
    expect(permissionAllowed('clipboard-sanitized-write', 'app://framescope/index.html', origins)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/', origins)).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', undefined, origins)).toBe(false);
  });

  it('the renderer reaches nothing outside the app', () => {
    expect(requestAllowed('app://framescope/assets/index-abc.js', origins)).toBe(true);
    expect(requestAllowed('data:image/png;base64,AAAA', origins)).toBe(true);
    expect(requestAllowed('blob:app://framescope/1234', origins)).toBe(true);
    for (const url of ['https://cdn.example/monaco.js', 'http://127.0.0.1:8712/api', 'ws://127.0.0.1:8712/api', 'file:///etc/passwd', 'app://other/x.js']) {
      expect(requestAllowed(url, origins), url).toBe(false);
    }
    const dev = [...origins, 'http://localhost:5173'];
    expect(requestAllowed('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(requestAllowed('ws://localhost:5173/?token=x', dev)).toBe(true);
    expect(requestAllowed('ws://localhost:5174/', dev)).toBe(false);
  });
});

describe('app:// serves dist/renderer and nothing else', () => {
  const root = mkdtempSync(join(tmpdir(), 'fs-renderer-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Framescope</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');

  it('maps URLs to files under the root', () => {
    expect(resolveAppFile(root, 'app://framescope/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://framescope/index.html?token=x#y')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://framescope/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(resolveAppFile(root, 'app://framescope/assets/with%20space.js')).toBe(join(root, 'assets', 'with space.js'));
  });

  it('refuses other hosts and schemes, escapes and malformed escapes', () => {
    for (const url of [
      'app://other/index.html', 'file:///etc/passwd', 'app://framescope/../../etc/passwd', 'app://framescope/%2e%2e/%2e%2e/etc/passwd',
      'app://framescope/assets/..%2f..%2f..%2fetc%2fpasswd', 'app://framescope/%E0%A4%A', 'app://framescope/a%00b', 'nonsense',
    ]) {
      const file = resolveAppFile(root, url);
      expect(file === undefined || file.startsWith(root + sep), url).toBe(true);
      // The URL parser already folds a literal or %2e "../" at the root; an encoded slash is caught by us.
      if (/other|file:|nonsense|%00|%E0|%2f/.test(url)) expect(file, url).toBeUndefined();
    }
  });

  it('answers with the CSP and the right content types', async () => {
    let handler: ((request: Request) => Promise<Response>) | undefined;
    serveAppScheme({ handle: (_scheme: string, h: (request: Request) => Promise<Response>) => { handler = h; } } as never, root);
    const page = await handler!(new Request('app://framescope/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Framescope</title>');
    const script = await handler!(new Request('app://framescope/assets/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await handler!(new Request('app://framescope/missing.js'))).status).toBe(404);
    expect((await handler!(new Request('app://framescope/../../etc/passwd'))).status).not.toBe(200);
    expect(contentType('x.WASM')).toBe('application/wasm');
  });
});

describe('fitBounds', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('keeps bounds that are on a screen', () => {
    expect(fitBounds({ x: 100, y: 80, width: 1200, height: 800 }, screen)).toEqual({ x: 100, y: 80, width: 1200, height: 800 });
    expect(fitBounds({ x: 100, y: 80, width: 1200, height: 800, maximized: true }, screen)).toMatchObject({ maximized: true });
  });

  it('drops the position of a window on a monitor that is gone, keeping its size', () => {
    expect(fitBounds({ x: 2500, y: 100, width: 1200, height: 800 }, screen)).toEqual({ width: 1200, height: 800 });
    expect(fitBounds({ x: 1900, y: 100, width: 1200, height: 800 }, screen)).toEqual({ width: 1200, height: 800 });
  });

  it('uses the default without saved bounds and enforces the minimum size', () => {
    expect(fitBounds(undefined, screen)).toEqual(DEFAULT_BOUNDS);
    expect(fitBounds({ width: 5, height: 5 }, screen)).toEqual({ width: 720, height: 480 });
  });
});

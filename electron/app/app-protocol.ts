/**
 * The renderer is served from `app://framescope/`, a privileged custom scheme, rather than loaded from file://.
 * Why: a file:// page is allowed to read other local files and has an opaque origin; our own scheme gives the page
 * a real origin that the IPC guard checks exactly, can reach only dist/renderer, and lets every response carry the
 * Content-Security-Policy header (webRequest does not see file:// loads, and index.html belongs to the renderer).
 * It also works whatever `base` Vite builds with ('/' or './').
 */
import type { Protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'framescope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * The policy of every page of the app. No 'unsafe-eval' and no inline scripts; inline styles are allowed because
 * Monaco and React set style attributes; workers come from our origin (Vite emits them as files) or blob:.
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
  '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `rootDir` an app:// URL names, or undefined for another host, a path escaping the root, or a
 * malformed URL. `/` is index.html.
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  const root = normalize(rootDir);
  const file = normalize(join(root, rel === '' ? 'index.html' : rel));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

/** Must run before the app is ready: makes app:// a standard, secure origin with fetch and module workers. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves dist/renderer on app://framescope/ with the CSP and nosniff on every response. */
export function serveAppScheme(protocol: Pick<Protocol, 'handle'>, rootDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rootDir, request.url);
    if (!file) return new Response('bad request', { status: 400 });
    let body: Uint8Array;
    try {
      body = new Uint8Array(await readFile(file));
    } catch {
      const missingUi = file.endsWith(`${sep}index.html`);
      return new Response(
        missingUi ? 'Framescope: the UI is not built (run npm start, or npm run build:renderer).' : 'not found',
        { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
      );
    }
    return new Response(body as BodyInit, {
      status: 200,
      headers: {
        'Content-Type': contentType(file),
        'Content-Security-Policy': APP_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  });
}

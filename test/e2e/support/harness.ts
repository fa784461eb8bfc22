/**
 * End-to-end harness: a real `framescope serve` (the built CLI, port 0), Debian's Chromium driven by
 * playwright-core, and an engine client over the same WebSocket API the page uses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { WsTransport, type SocketLike } from '../../../renderer/src/api/ws-transport';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CHROMIUM = process.env.FRAMESCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** What must exist before these tests can run; a clear failure instead of a confusing one. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!existsSync(join(ROOT, 'dist/cli/framescope.mjs'))) missing.push('the CLI bundle (npm run build)');
  if (!existsSync(join(ROOT, 'dist/renderer/index.html'))) missing.push('the renderer bundle (npm run build)');
  if (!existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install chromium)`);
  if (missing.length) throw new Error(`e2e prerequisites missing: ${missing.join('; ')}`);
}

export interface Served {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `framescope serve --port 0`, resolved with the URL it prints. Each serve gets its own spool root, so spools other
 * runs left behind are not offered for recovery; `env` overrides it, `wrap` runs serve through a command (setpriv).
 */
export async function startServe(opts: { env?: Record<string, string>; wrap?: string[] } = {}): Promise<Served> {
  const argv = [process.execPath, join(ROOT, 'bin/framescope.js'), 'serve', '--port', '0'];
  const [cmd, ...args] = [...(opts.wrap ?? []), ...argv];
  const env = { ...process.env, FRAMESCOPE_SPOOL_ROOT: mkdtempSync(join(tmpdir(), 'framescope-spool-root-')), ...opts.env };
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += String(d); });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`framescope serve printed no URL in 15 s: ${out}${stderr}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /Framescope is running at (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`framescope serve exited (${code}): ${stderr}`)); });
  });
  const parsed = new URL(url);
  return {
    url, origin: parsed.origin, token: parsed.searchParams.get('token')!, process: child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** The engine API from the test's side (the `ws` package's socket, the token in the URL). */
export function engineClient(served: Served): WsTransport {
  const url = `${served.origin.replace(/^http/, 'ws')}/api?token=${served.token}`;
  return new WsTransport(url, { createSocket: (u) => new WebSocket(u) as unknown as SocketLike, reconnect: false });
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on the page. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(opts: { colorScheme?: 'dark' | 'light' } = {}): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'framescope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1366, height: 768 },
    colorScheme: opts.colorScheme ?? 'dark',
  });
  const page = context.pages()[0] ?? await context.newPage();
  // A missing element fails a test in seconds rather than hanging it until the test timeout. CI runs two test files
  // at a time on two cores, browsers included: there, loading Monaco once took more than 10 s.
  page.setDefaultTimeout(process.env.CI ? 30_000 : 10_000);
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  return {
    context, page, errors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

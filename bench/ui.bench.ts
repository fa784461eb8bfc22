/**
 * How the inspector UI holds up, in Chromium (playwright-core, Debian's /usr/bin/chromium, headless, 1366×768):
 *
 *  1. Live: `framescope serve` (the built CLI, its own process) proxies a client that sends RATE flyer PDUs a second
 *     for SECONDS to a sink server; the page follows the traffic. Meanwhile ArrowDown is pressed every 250 ms in the
 *     frame list, and the time from the key event to the first paint after it is measured in the page (keydown
 *     timeStamp → requestAnimationFrame → the task after that frame). Long tasks (> 50 ms) are counted by
 *     Chromium's PerformanceObserver. Afterwards: the UI's frame count must equal what the client sent, and windows
 *     of rows at 100 random scroll positions (and both ends) must be consecutive frame numbers — dropped rows = 0.
 *  2. Ten million frames: a Session filled directly (as bench/memory.bench.ts does, no sockets) behind the same web
 *     server code `framescope serve` runs; timed: first paint, End / Home, scrollbar jumps, PageDown, and display
 *     filters typed into the filter bar until the status bar shows the matching count.
 *
 * Not a test: it writes its table into README.md (`<!-- bench:ui -->`). Run: `npm run bench:ui`, or shorter:
 * `npx tsx bench/ui.bench.ts --seconds 10 [--rate 10000] [--big 10000000]`. `BENCH_QUICK=1` leaves README.md alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import type { Direction } from '../shared/codec/protocol';
import { getProtocol } from '../shared/protocols/index';
import { Engine } from '../electron/engine/api/engine';
import { startWebServer } from '../electron/engine/api/web-server';
import { WsTransport, type SocketLike } from '../renderer/src/api/ws-transport';
import { machineLine, writeReadmeSection } from './readme-table';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.FRAMESCOPE_CHROMIUM ?? '/usr/bin/chromium';
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 60);
const RATE = arg('rate', 10_000);
const BIG = arg('big', 10_000_000);
const QUICK = process.env.BENCH_QUICK === '1';

const flyer = getProtocol('flyer')!;
const HEARTBEAT = flyer.encode('Heartbeat', 'c2s', { packet_id: '0', appCode: 'executor', vhost: '', req: 0 } as never);
const RESPONSE = flyer.encode('HeartbeatResponse', 's2c', { packet_id: '0', resp: 1, serverVersion: 7 } as never);

interface Stats { p50: number; p95: number; max: number; n: number }
function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN, n: s.length };
}
const ms = (v: number): string => (Number.isNaN(v) ? '–' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Key → paint latencies and long tasks, recorded in the page from its first script on. */
const INSTRUMENT = `
  window.__lat = []; window.__long = [];
  addEventListener('keydown', (e) => {
    const t0 = e.timeStamp;
    requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - t0), 0));
  }, true);
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true }); } catch {}
`;

async function openPage(): Promise<{ context: BrowserContext; page: Page; errors: string[]; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-ui-bench-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1366, height: 768 }, colorScheme: 'dark',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  await context.addInitScript(INSTRUMENT);
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors, async close() { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

const takeLatencies = (page: Page): Promise<{ lat: number[]; long: number[] }> => page.evaluate(() => {
  const w = window as unknown as { __lat: number[]; __long: number[] };
  const out = { lat: w.__lat, long: w.__long };
  w.__lat = [];
  w.__long = [];
  return out;
});

const shownRows = (page: Page): Promise<number[]> => page.locator('.frame-row[data-frame]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-frame'))).sort((a, b) => a - b));

const statusCount = async (page: Page): Promise<number> => {
  const text = (await page.getByTestId('status-frames').textContent()) ?? '';
  const m = /(?:Frames|of): ?([\d\s,.\u202f\u00a0]+)/.exec(text.replace(/Displayed: [\d\s,.\u202f\u00a0]+ of/, 'of:'));
  return Number((m?.[1] ?? '').replace(/\D/g, ''));
};

/** Rows on screen once they are real rows (not placeholders) and stable. */
async function settledRows(page: Page, timeoutMs = 20_000): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const loading = await page.locator('.frame-row.loading').count();
    const rows = await shownRows(page);
    const key = rows.join(',');
    if (loading === 0 && rows.length > 0 && key === last) return rows;
    last = key;
    if (Date.now() > end) return rows;
    await sleep(10);
  }
}

const consecutive = (rows: number[]): boolean => rows.every((r, i) => i === 0 || r === rows[i - 1] + 1);

/** Scroll to a fraction of the list and time until its rows are drawn; returns the rows and the time. */
async function jump(page: Page, fraction: number): Promise<{ rows: number[]; ms: number }> {
  const t0 = Date.now();
  await page.getByTestId('frame-scroller').evaluate((el, f) => { el.scrollTop = Math.round((el.scrollHeight - el.clientHeight) * f); }, fraction);
  const rows = await settledRows(page);
  return { rows, ms: Date.now() - t0 };
}

/** Windows at `n` random positions and both ends: gaps (non-consecutive windows) and whether the ends are 1 and total. */
async function checkWindows(page: Page, total: number, n: number): Promise<{ gaps: number; windows: number; ends: boolean; jumps: number[] }> {
  let gaps = 0;
  const jumps: number[] = [];
  for (let i = 0; i < n; i++) {
    const { rows, ms: t } = await jump(page, Math.random());
    jumps.push(t);
    if (!consecutive(rows) || rows.length < 10 || rows[0] < 1 || rows[rows.length - 1] > total) gaps++;
  }
  const top = (await jump(page, 0)).rows;
  const bottom = (await jump(page, 1)).rows;
  const ends = top[0] === 1 && bottom[bottom.length - 1] === total && consecutive(top) && consecutive(bottom);
  return { gaps, windows: n + 2, ends, jumps };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Live traffic through `framescope serve`

interface LiveResult {
  sent: number; recorded: number; shown: number; seconds: number; latency: Stats; longTasks: number; longestTask: number;
  gaps: number; windows: number; ends: boolean; liveGaps: number; liveWindows: number; lagFrames: Stats; errors: string[];
}

async function startServe(spoolRoot: string): Promise<{ url: string; child: ChildProcess }> {
  const cli = join(ROOT, 'bin/framescope.js');
  if (!existsSync(join(ROOT, 'dist/cli/framescope.mjs')) || !existsSync(join(ROOT, 'dist/renderer/index.html'))) throw new Error('build first: npm run build');
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, FRAMESCOPE_SPOOL_ROOT: spoolRoot }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => { out += String(d); const m = /running at (\S+)/.exec(out); if (m) resolve(m[1]); });
    child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
  return { url, child };
}

async function live(): Promise<LiveResult> {
  const spoolRoot = mkdtempSync(join(tmpdir(), 'framescope-ui-bench-spool-'));
  const { url, child } = await startServe(spoolRoot);
  const u = new URL(url);
  const api = new WsTransport(`ws://${u.host}/api?token=${u.searchParams.get('token')}`, { createSocket: (x) => new WebSocket(x) as unknown as SocketLike, reconnect: false });
  const sink: Server = createServer((s) => { s.on('data', () => undefined); s.on('error', () => undefined); });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkPort = (sink.address() as { port: number }).port;
  const proxy = await api.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: sinkPort }, protocol: 'flyer' });
  const browser = await openPage();
  const { page } = browser;
  try {
    await page.goto(url);
    await page.getByTestId('status-frames').waitFor();
    await sleep(500);

    const client: Socket = createConnection({ host: '127.0.0.1', port: proxy.boundPort });
    await new Promise<void>((r) => client.once('connect', () => r()));
    let sent = 0;
    const started = performance.now();
    const durationMs = SECONDS * 1000;
    // Batches every 5 ms sized so that `sent` tracks RATE × elapsed exactly.
    const pump = setInterval(() => {
      const elapsed = Math.min(performance.now() - started, durationMs);
      const due = Math.floor((elapsed / 1000) * RATE) - sent;
      if (due <= 0) return;
      const buf = Buffer.allocUnsafe(due * HEARTBEAT.length);
      for (let i = 0; i < due; i++) buf.set(HEARTBEAT, i * HEARTBEAT.length);
      client.write(buf);
      sent += due;
    }, 5);

    // While it runs: a key every 250 ms in the list; every second, the rows on screen must be consecutive and near the newest.
    await page.waitForSelector('.frame-row[data-frame]');
    await page.getByTestId('frame-scroller').focus();
    await takeLatencies(page);
    let liveGaps = 0;
    let liveWindows = 0;
    const lag: number[] = [];
    let nextCheck = performance.now() + 1000;
    while (performance.now() - started < durationMs) {
      await page.keyboard.press('ArrowDown');
      await sleep(250);
      if (performance.now() >= nextCheck) {
        nextCheck += 1000;
        await page.getByTestId('frame-scroller').focus();
        await page.keyboard.press('End'); // back to following the tail
        const [rows, total] = await Promise.all([shownRows(page), api.call('session.info', {}).then((i) => i.frames)]);
        liveWindows++;
        if (rows.length && !consecutive(rows)) liveGaps++;
        if (rows.length) lag.push(Math.max(0, total - rows[rows.length - 1]));
      }
    }
    clearInterval(pump);
    const seconds = (performance.now() - started) / 1000;
    const { lat, long } = await takeLatencies(page);
    await new Promise<void>((r) => client.end(r));

    // Everything recorded, and shown.
    const deadline = Date.now() + 60_000;
    let recorded = 0;
    while (Date.now() < deadline && (recorded = (await api.call('session.info', {})).frames) < sent) await sleep(200);
    let shown = 0;
    while (Date.now() < deadline && (shown = await statusCount(page)) !== recorded) await sleep(200);
    await page.keyboard.press('End');
    const windows = await checkWindows(page, shown, 100);
    return {
      sent, recorded, shown, seconds, latency: stats(lat), longTasks: long.length, longestTask: Math.max(0, ...long),
      gaps: windows.gaps, windows: windows.windows, ends: windows.ends, liveGaps, liveWindows, lagFrames: stats(lag), errors: browser.errors,
    };
  } finally {
    await browser.close();
    api.close();
    await new Promise<void>((r) => sink.close(() => r()));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(spoolRoot, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Ten million frames

interface BigResult {
  frames: number; fillSeconds: number; firstPaint: number; end: number; home: number; jumps: Stats; pageDown: Stats;
  filters: { filter: string; count: number; expected: number; ms: number }[]; clear: number; gaps: number; windows: number; ends: boolean; errors: string[];
}

async function big(): Promise<BigResult> {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-ui-bench-big-'));
  const engine = new Engine({ spoolDir: dir });
  const s = engine.session;
  const CONNECTIONS = 1000;
  const t0 = performance.now();
  const ids: number[] = [];
  for (let k = 0; k < CONNECTIONS; k++) ids.push(s.openConnection({ source: 'capture', client: { host: `10.1.${k >> 8}.${k & 255}`, port: 40_000 + k }, server: { host: '10.0.0.1', port: 20180 }, protocol: 'flyer' }));
  const tns = 1_710_000_000_000_000_000n;
  for (let i = 0; i < BIG; i++) {
    const k = (i >> 1) % CONNECTIONS;
    const dir2: Direction = i & 1 ? 's2c' : 'c2s';
    s.data(ids[k], dir2, (i & 1 ? RESPONSE : HEARTBEAT).slice(), tns + BigInt(i) * 1000n);
    if ((i + 1) % 1_000_000 === 0) process.stdout.write(`  ${(i + 1) / 1e6} M frames\n`);
  }
  s.flush();
  const fillSeconds = (performance.now() - t0) / 1000;
  const server = await startWebServer(engine, { host: '127.0.0.1', port: 0, staticDir: join(ROOT, 'dist/renderer') });
  const browser = await openPage();
  const { page } = browser;
  try {
    let t = Date.now();
    await page.goto(server.url);
    await page.locator(`.frame-row[data-frame="${BIG}"]`).waitFor();
    const firstPaint = Date.now() - t;
    const scroller = page.getByTestId('frame-scroller');
    await scroller.focus();

    t = Date.now();
    await page.keyboard.press('Home');
    await page.locator('.frame-row[data-frame="1"][aria-selected="true"]').waitFor();
    const home = Date.now() - t;
    t = Date.now();
    await page.keyboard.press('End');
    await page.locator(`.frame-row[data-frame="${BIG}"][aria-selected="true"]`).waitFor();
    const end = Date.now() - t;

    await page.keyboard.press('Home');
    await page.locator('.frame-row[data-frame="1"][aria-selected="true"]').waitFor();
    await takeLatencies(page);
    for (let i = 0; i < 40; i++) { await page.keyboard.press('PageDown'); await sleep(60); }
    const pageDown = stats((await takeLatencies(page)).lat);

    const windows = await checkWindows(page, BIG, 30);

    const filters: BigResult['filters'] = [];
    const input = page.locator('.filter-input');
    for (const [filter, expected] of [['fs.message == "HeartbeatResponse"', BIG / 2], ['tcp.stream == 7', BIG / CONNECTIONS]] as const) {
      await input.fill(filter);
      t = Date.now();
      await input.press('Enter');
      let count = -1;
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const text = (await page.getByTestId('status-frames').textContent()) ?? '';
        const m = /Displayed: ([\d\s,.\u202f\u00a0]+) of/.exec(text);
        if (m) { count = Number(m[1].replace(/\D/g, '')); if (count === expected) break; }
        await sleep(10);
      }
      filters.push({ filter, count, expected, ms: Date.now() - t });
      await settledRows(page);
    }
    await input.fill('');
    t = Date.now();
    await input.press('Enter');
    while (!/Frames:/.test((await page.getByTestId('status-frames').textContent()) ?? '')) await sleep(10);
    const clear = Date.now() - t;
    return { frames: s.frameCount, fillSeconds, firstPaint, end, home, jumps: stats(windows.jumps), pageDown, filters, clear, gaps: windows.gaps, windows: windows.windows, ends: windows.ends, errors: browser.errors };
  } finally {
    await browser.close();
    await server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const load0 = loadavg()[0];
  console.log(`live: ${RATE.toLocaleString('en-US')} frames/s for ${SECONDS} s through framescope serve`);
  const l = await live();
  console.log(l);
  console.log(`big: ${BIG.toLocaleString('en-US')} frames`);
  const b = await big();
  console.log(b);
  const dropped = (l.sent - l.shown) + l.gaps + l.liveGaps;
  const f = (n: number) => n.toLocaleString('en-US');
  const lines = [
    `Measured by \`npm run bench:ui\` on ${machineLine()}, load average ${load0.toFixed(1)} at the start, Chromium headless at 1366×768 (${CHROMIUM}). Not a test: a shared machine's numbers, for orders of magnitude.`,
    '',
    `**Live:** \`framescope serve\` proxies one client sending ${f(RATE)} flyer heartbeats a second for ${l.seconds.toFixed(0)} s to a sink; the page follows the tail while ArrowDown is pressed every 250 ms. Input → paint = the key event's timestamp to the first task after the next animation frame, measured in the page.`,
    '',
    '| what | value |',
    '|---|---:|',
    `| frames sent / recorded by the engine / counted by the UI | ${f(l.sent)} / ${f(l.recorded)} / ${f(l.shown)} |`,
    `| recorded rate | ${f(Math.round(l.recorded / SECONDS))} frames/s |`,
    `| **input → paint during the load** (p50 / p95 / max, ${l.latency.n} keys) | **${ms(l.latency.p50)} / ${ms(l.latency.p95)}** / ${ms(l.latency.max)} |`,
    `| long tasks (> 50 ms) on the page's main thread | ${l.longTasks}${l.longTasks ? `, longest ${ms(l.longestTask)}` : ''} |`,
    `| newest row on screen behind the engine, sampled once a second (p50 / p95) | ${f(l.lagFrames.p50)} / ${f(l.lagFrames.p95)} frames (${ms((l.lagFrames.p50 / RATE) * 1000)} / ${ms((l.lagFrames.p95 / RATE) * 1000)} of traffic) |`,
    `| **dropped rows** (sent − counted, plus non-consecutive windows: ${l.liveWindows} while live, ${l.windows} after at random positions and both ends) | **${dropped}**${l.ends ? '' : ' (ends wrong)'} |`,
    '',
    `**${f(b.frames)} frames:** a Session filled directly (flyer heartbeats and replies over 1,000 connections, ${b.fillSeconds.toFixed(0)} s), behind the web server \`framescope serve\` runs.`,
    '',
    '| what | time |',
    '|---|---:|',
    `| page load → newest frame drawn | ${ms(b.firstPaint)} |`,
    `| Home → frame 1 selected and drawn / End → last frame | ${ms(b.home)} / ${ms(b.end)} |`,
    `| scrollbar jump to a random position → rows drawn and settled (p50 / p95, ${b.jumps.n} jumps; polled every 10 ms) | ${ms(b.jumps.p50)} / ${ms(b.jumps.p95)} |`,
    `| PageDown → paint (p50 / p95) | ${ms(b.pageDown.p50)} / ${ms(b.pageDown.p95)} |`,
    ...b.filters.map((x) => `| filter \`${x.filter}\` → ${f(x.count)} rows counted in the status bar${x.count === x.expected ? '' : ` (expected ${f(x.expected)})`} | ${ms(x.ms)} |`),
    `| clear the filter → all frames again | ${ms(b.clear)} |`,
    `| non-consecutive windows (of ${b.windows}) | ${b.gaps}${b.ends ? '' : ' (ends wrong)'} |`,
  ];
  const errors = [...l.errors, ...b.errors];
  if (errors.length) lines.push('', `Console errors: ${errors.slice(0, 5).join('; ')}`);
  console.log(lines.join('\n'));
  if (!QUICK) writeReadmeSection('ui', lines.join('\n'));
  if (dropped !== 0 || b.gaps !== 0 || b.filters.some((x) => x.count !== x.expected)) process.exitCode = 1;
}

await main();

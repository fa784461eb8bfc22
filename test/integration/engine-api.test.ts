/** The engine through its WebSocket API, as the browser UI uses it: token, commands, batched events, demo, files. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CommandName, Params, Result } from '../../shared/api/contract';
import { Engine } from '../../electron/engine/api/engine';
import { startWebServer, type RunningWebServer } from '../../electron/engine/api/web-server';
import { runDemoClient, startDemoServer } from '../../electron/engine/demo/demo';
import { tshark } from '../support/tshark';

let engine: Engine;
let server: RunningWebServer;
let ws: WebSocket;
const events: Array<{ event: string; data: unknown }> = [];
const pending = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
let nextId = 1;

function call<C extends CommandName>(command: C, params: Params<C>): Promise<Result<C>> {
  const id = nextId++;
  ws.send(JSON.stringify({ id, command, params }));
  return new Promise((resolve, reject) => pending.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result as Result<C>))));
}

const until = async (cond: () => Promise<boolean> | boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) { if (Date.now() > end) throw new Error('timed out'); await new Promise((r) => setTimeout(r, 50)); }
};

beforeAll(async () => {
  engine = new Engine({ spoolDir: mkdtempSync(join(tmpdir(), 'fs-engine-')) });
  server = await startWebServer(engine, { host: '127.0.0.1', port: 0, staticDir: mkdtempSync(join(tmpdir(), 'fs-static-')) });
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString());
    if ('event' in m) events.push(m);
    else pending.get(m.id)?.(m);
  });
  await new Promise((r) => ws.once('open', r));
});

afterAll(async () => {
  ws?.close();
  await server?.close();
  await engine?.close();
});

describe('engine API over WebSocket', () => {
  it('refuses connections without the token or from another origin', async () => {
    const refused = (url: string, headers: Record<string, string> = {}) => new Promise<boolean>((resolve) => {
      const s = new WebSocket(url, { headers });
      s.on('open', () => { s.close(); resolve(false); });
      s.on('error', () => resolve(true));
    });
    expect(await refused(`ws://127.0.0.1:${server.port}/api`)).toBe(true);
    expect(await refused(`ws://127.0.0.1:${server.port}/api?token=wrong${server.token.slice(5)}`)).toBe(true);
    expect(await refused(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(true);
    const page = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(page.status).toBe(403);
  });

  it('answers errors for unknown commands and bad filters, with the column', async () => {
    await expect(call('frame.detail', { number: 999 })).rejects.toThrow(/no frame 999/);
    const bad = await call('view.create', { filter: 'flyer.packet_id == ' });
    expect(bad).toMatchObject({ error: { column: 16 } });
  });

  it('runs the demo through its own proxies: every protocol live, paired, with statistics', async () => {
    const { listeners } = await call('demo.start', {});
    // A page opened now learns that the demo runs (its button reads "Stop demo").
    expect((await call('session.info', {})).demo).toBe(true);
    expect(listeners.map((l) => l.protocol).sort()).toEqual(['flyer', 'hodor', 'http', 'push', 'tt', 'txlcn']);
    // Every protocol seen, and a tt login answered (its client's first round got that far).
    await until(async () => {
      const stats = await call('stats.messages', {});
      return new Set(stats.map((s) => s.protocol)).size === 6 && (stats.find((s) => s.message === 'LoginResponse')?.responseTime?.count ?? 0) > 0;
    });
    expect(events.some((e) => e.event === 'session.changed')).toBe(true);
    const view = await call('view.create', { filter: 'tt.module_id == LOGIN && fs.direction == s2c' });
    if ('error' in view) throw new Error(view.error.message);
    expect(view.count).toBeGreaterThan(0);
    const rows = await call('view.rows', { viewId: view.viewId, start: 0, count: view.count });
    expect(rows.every((r) => r.protocol === 'tt' && r.direction === 's2c')).toBe(true);
    const logins = rows.filter((r) => r.message === 'LoginResponse');
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((r) => r.pairedWith! > 0 && r.responseTime! >= 0)).toBe(true);
    const detail = await call('frame.detail', { number: rows[0].number });
    expect(detail.hex.length).toBe(rows[0].length * 2);
    const stats = await call('stats.messages', {});
    expect(stats.find((s) => s.message === 'LoginResponse')?.responseTime?.count).toBeGreaterThan(0);
    await call('demo.stop', {});
    expect((await call('session.info', {})).demo).toBe(false);
    expect((await call('proxy.list', {})).length).toBe(0);
  }, 60_000);

  it('saves the session as pcapng that tshark reads, and opens it again with the same frames', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fs-save-')), 'demo.pcapng');
    const info = await call('session.info', {});
    await call('session.save', { path: file });
    expect(tshark(['-r', file]).stderr).toBe('');
    const reopened = await call('session.open', { path: file });
    // Frames cut off mid-PDU when the demo stopped may differ by the last few; everything else must match.
    expect(reopened.frames).toBeGreaterThan(info.frames * 0.95);
    expect(reopened.file).toBe(file);
    const view = await call('view.create', { filter: 'txlcn.action == "ic"' });
    if ('error' in view) throw new Error(view.error.message);
    expect(view.count).toBeGreaterThan(0);
  }, 60_000);

  it('keeps Decode As across Open: the reopened file is decoded with it', async () => {
    const file = (await call('session.info', {})).file!;
    const flyerConn = (await call('connections.list', {})).find((c) => c.protocol === 'flyer')!;
    const port = flyerConn.server.port;
    await call('decodeAs.set', { port, protocol: 'tt' });
    await call('session.open', { path: file });
    const onPort = (await call('connections.list', {})).filter((c) => c.server.port === port);
    expect(onPort.length).toBeGreaterThan(0);
    expect(onPort.every((c) => c.protocol === 'tt')).toBe(true);
  }, 60_000);

  it('saves an opened file plus the live traffic that came after it, also over the opened file itself', async () => {
    const file = (await call('session.info', {})).file!;
    const opened = await call('session.open', { path: file });
    expect(opened.unsaved).toBe(0);
    const server = await startDemoServer('flyer', { port: 0 });
    try {
      const proxy = await call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol: 'flyer' });
      const run = await runDemoClient('flyer', { port: proxy.boundPort, rounds: 1, intervalMs: 0 });
      await run.close();
      await until(async () => (await call('session.info', {})).frames === opened.frames + run.frames);
      expect((await call('session.info', {})).unsaved).toBe(run.frames);
      await call('proxy.remove', { id: proxy.id });

      // Over the very file the session came from: written beside it, then renamed onto it.
      const saved = await call('session.save', { path: file });
      expect(saved.frames).toBe(opened.frames + run.frames);
      expect((await call('session.info', {})).unsaved).toBe(0);
      expect(existsSync(`${file}.partial-${process.pid}`)).toBe(false);
      expect(tshark(['-r', file]).stderr).toBe('');
      const reopened = await call('session.open', { path: file });
      expect(reopened.frames).toBe(opened.frames + run.frames);
    } finally {
      await server.close();
    }
  }, 60_000);
});

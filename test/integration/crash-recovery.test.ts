/**
 * Crash recovery: an engine in a child process records live traffic through real proxy listeners into its spool
 * and is killed with SIGKILL (no clean close). The next engine on the same spool root lists the spool, reopens it
 * with every frame, and no longer lists it; a discarded spool is deleted. A spool whose engine still runs, or that
 * was closed cleanly, is never offered.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/api/engine';
import { runDemoClient, startDemoServer } from '../../electron/engine/demo/demo';
import { SessionSpool } from '../../electron/engine/files/session-spool';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/crash-child.ts', import.meta.url));

interface Crashed { frames: number; messages: Record<string, number>; pid: number }

/** Runs the recording child, checks its spool is not offered while it lives, then kills it. */
async function recordAndCrash(root: string, whileAlive?: () => Promise<void>): Promise<Crashed> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += String(d); });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child printed nothing in 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) { clearTimeout(timer); resolve(out.split('\n')[0]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited (${code}): ${err}`)); });
  });
  await whileAlive?.();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return { ...(JSON.parse(line) as Omit<Crashed, 'pid'>), pid: child.pid! };
}

describe('crash recovery of the live spool', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => { for (const f of cleanup.splice(0)) await f(); });

  it('reopens every frame of a session whose engine was killed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'framescope-crash-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const crashed = await recordAndCrash(root, async () => {
      // Still running: its spool belongs to a live engine.
      const peer = new Engine({ spoolRoot: root });
      try { expect(await peer.call('recovery.list', {})).toEqual([]); } finally { await peer.close(); }
    });
    expect(crashed.frames).toBeGreaterThanOrEqual(8);

    const engine = new Engine({ spoolRoot: root });
    cleanup.push(() => engine.close());
    const list = await engine.call('recovery.list', {});
    expect(list).toHaveLength(1);
    expect(list[0].pid).toBe(crashed.pid);
    expect(list[0].size).toBeGreaterThan(1000);

    const info = await engine.call('recovery.open', { id: list[0].id });
    expect(info.frames).toBe(crashed.frames);
    const messages: Record<string, number> = {};
    for (const s of await engine.call('stats.messages', {})) messages[`${s.protocol}:${s.message}`] = s.count;
    expect(messages).toEqual(crashed.messages);
    // Recovered into this run's folder, which goes when the engine closes: unsaved until the user saves.
    expect(info.file).toBeUndefined();
    expect(info.unsaved).toBe(crashed.frames);
    // Recovered once: not offered again, and the crashed run's folder is gone.
    expect(await engine.call('recovery.list', {})).toEqual([]);
    expect(existsSync(list[0].path)).toBe(false);
    // The recovered frames decode: a txlcn transaction group is there across the reopened connections.
    const groups = await engine.call('txlcn.groups', {});
    expect(groups.length).toBeGreaterThan(0);
    // Save keeps them: the file holds every recovered frame, and nothing is unsaved any more.
    const kept = join(root, 'kept.pcapng');
    expect((await engine.call('session.save', { path: kept })).frames).toBe(crashed.frames);
    expect((await engine.call('session.info', {})).unsaved).toBe(0);
    expect((await engine.call('session.open', { path: kept })).frames).toBe(crashed.frames);
  }, 60_000);

  it('discards a crashed spool on request; a cleanly closed one is never offered', async () => {
    const root = mkdtempSync(join(tmpdir(), 'framescope-crash-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));

    // A clean run: traffic recorded, then close().
    const server = await startDemoServer('flyer', { port: 0 });
    cleanup.push(() => server.close());
    const clean = new Engine({ spoolRoot: root });
    const proxy = await clean.call('proxy.add', { port: 0, upstream: { host: '127.0.0.1', port: server.port }, protocol: 'flyer' });
    await (await runDemoClient('flyer', { port: proxy.boundPort, rounds: 1, intervalMs: 0 })).close();
    await clean.close();

    await recordAndCrash(root);
    // A run that crashed before any traffic reached its spool: not offered, and cleaned up.
    const idle = join(root, 'run-idle');
    mkdirSync(idle);
    const empty = await SessionSpool.create(join(idle, 'session-empty.pcapng'), 'no traffic');
    await empty.close();
    writeFileSync(join(idle, 'session-empty.pcapng.lock'), JSON.stringify({ pid: spawnSync(process.execPath, ['-e', '0']).pid, host: hostname(), startedAt: new Date().toISOString() }));
    const engine = new Engine({ spoolRoot: root });
    cleanup.push(() => engine.close());
    const list = await engine.call('recovery.list', {});
    expect(list).toHaveLength(1);
    expect(existsSync(idle)).toBe(false);
    await engine.call('recovery.discard', { id: list[0].id });
    expect(existsSync(list[0].path)).toBe(false);
    expect(await engine.call('recovery.list', {})).toEqual([]);
    await expect(engine.call('recovery.open', { id: list[0].id })).rejects.toThrow(/no recoverable session/);
    // Only the clean run's folder and this engine's own are left.
    expect(readdirSync(root).length).toBeLessThanOrEqual(3);
  }, 60_000);
});

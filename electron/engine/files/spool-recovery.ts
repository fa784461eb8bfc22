/**
 * Crash recovery for the live session's spool (session-spool.ts). Every engine keeps its spool in its own run folder
 * under one spool root; beside a spool that is being written lies `<spool>.lock` ({pid, host, startedAt}). A clean
 * close removes the lock. A lock whose process is gone (same host, pid not alive) marks a session that ended in a
 * crash: the next engine lists it, and reopens (recover) or deletes (discard) it on the user's word.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { RecoverableSession } from '../../../shared/api/contract';

export const LOCK_SUFFIX = '.lock';

interface SpoolLock { pid: number; host: string; startedAt: string }

/** Where engines put their run folders: $FRAMESCOPE_SPOOL_ROOT, else `<tmp>/framescope`. */
export function defaultSpoolRoot(): string {
  return process.env.FRAMESCOPE_SPOOL_ROOT || join(tmpdir(), 'framescope');
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Marks a spool as being written by this process. */
export function writeSpoolLock(spoolPath: string, startedAt = new Date()): void {
  const lock: SpoolLock = { pid: process.pid, host: hostname(), startedAt: startedAt.toISOString() };
  writeFileSync(spoolPath + LOCK_SUFFIX, JSON.stringify(lock));
}

/** The spool was closed cleanly (or given up on purpose): nothing to recover. */
export function removeSpoolLock(spoolPath: string): void {
  rmSync(spoolPath + LOCK_SUFFIX, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(path: string): SpoolLock | undefined {
  try {
    const lock = JSON.parse(readFileSync(path, 'utf8')) as SpoolLock;
    return typeof lock.pid === 'number' ? lock : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a pcapng holds at least one packet block (walks block headers up to the first one: cheap for any size). */
export function hasPackets(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = statSync(path).size;
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) < 12) return false;
    const little = head.readUInt32LE(8) === 0x1a2b3c4d;
    const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
    for (let offset = 0; offset + 8 <= size;) {
      if (readSync(fd, head, 0, 8, offset) < 8) return false;
      const type = u32(head, 0);
      const length = u32(head, 4);
      if (type === 6 || type === 3 || type === 2) return true; // enhanced, simple, obsolete packet block
      if (length < 12 || length % 4 !== 0) return false;
      offset += length;
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Spools under `root` left by a process that did not exit cleanly, newest first. Spools of engines still running
 * (on this host) are not listed; locks whose spool is gone are removed.
 */
export function findRecoverable(root: string, isAlive: (pid: number) => boolean = alive): RecoverableSession[] {
  if (!existsSync(root)) return [];
  const out: RecoverableSession[] = [];
  for (const run of readdirSync(root, { withFileTypes: true })) {
    if (!run.isDirectory()) continue;
    const dir = join(root, run.name);
    let names: string[];
    try { names = readdirSync(dir); } catch { continue; }
    for (const name of names) {
      if (!name.endsWith(LOCK_SUFFIX)) continue;
      const lockPath = join(dir, name);
      const spool = lockPath.slice(0, -LOCK_SUFFIX.length);
      const lock = readLock(lockPath);
      if (lock && lock.host === hostname() && lock.pid !== process.pid && isAlive(lock.pid)) continue;
      if (lock && lock.pid === process.pid && lock.host === hostname()) continue;
      if (!existsSync(spool)) { rmSync(lockPath, { force: true }); continue; }
      // A run that crashed before any traffic: nothing to offer.
      if (!hasPackets(spool)) { rmSync(spool, { force: true }); rmSync(lockPath, { force: true }); removeRunDir(dir, root); continue; }
      const st = statSync(spool);
      out.push({
        id: spool, path: spool, size: st.size, modifiedAt: st.mtime.toISOString(),
        startedAt: lock?.startedAt ?? st.birthtime.toISOString(), pid: lock?.pid ?? 0,
      });
    }
  }
  return out.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
}

/** Removes a run folder when no other live spool is in it (the crashed engine's PDU store goes with it). */
function removeRunDir(dir: string, root: string): void {
  if (dirname(dir) !== root) return;
  try {
    if (readdirSync(dir).some((n) => n.endsWith(LOCK_SUFFIX))) return;
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Leftovers are harmless.
  }
}

/** Moves a crashed session's spool into `intoDir` (it is the file the user now works on) and cleans up the rest. */
export function adoptRecoverable(root: string, entry: RecoverableSession, intoDir: string): string {
  const target = join(intoDir, `recovered-${basename(entry.path)}`);
  renameSync(entry.path, target);
  rmSync(entry.path + LOCK_SUFFIX, { force: true });
  removeRunDir(dirname(entry.path), root);
  return target;
}

export function discardRecoverable(root: string, entry: RecoverableSession): void {
  rmSync(entry.path, { force: true });
  rmSync(entry.path + LOCK_SUFFIX, { force: true });
  removeRunDir(dirname(entry.path), root);
}

/**
 * vitest globalSetup: every temp file of the run (tests, the engines and CLIs they start, the browsers) goes under one
 * directory, removed when the run ends, so a run leaves nothing in the system's temp dir however a test exits.
 * Forked test workers and the processes they spawn inherit TMPDIR (os.tmpdir() reads it); Windows reads TEMP/TMP.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'framescope-tests-'));
  // As the system's temp dir is: a test that runs a server as another user (nobody) makes its folder in here too.
  chmodSync(root, 0o1777);
  const saved = { TMPDIR: process.env.TMPDIR, TEMP: process.env.TEMP, TMP: process.env.TMP };
  process.env.TMPDIR = process.env.TEMP = process.env.TMP = root;
  return () => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    rmSync(root, { recursive: true, force: true });
  };
}

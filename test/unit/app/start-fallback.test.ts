/**
 * `npm start` where the Electron binary is missing: one line says so, then the same UI starts in web mode
 * (`framescope serve`) and its URL is printed — and answers. ELECTRON_OVERRIDE_DIST_PATH pointing nowhere makes
 * the binary missing on any machine. The build steps are skipped (they would rewrite dist/ under other tests).
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary, platformExecutable } from '../../../scripts/electron-binary.mjs';

const root = resolve(import.meta.dirname, '../../..');

describe('findElectronBinary', () => {
  it('prefers ELECTRON_OVERRIDE_DIST_PATH and says why there is no binary', () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'fs-no-electron-'));
    const r = findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: nowhere } });
    expect(r.path).toBeUndefined();
    expect(r.reason).toContain(join(nowhere, platformExecutable()));
    expect(findElectronBinary({ env: {}, root: nowhere }).reason).toMatch(/electron package is not installed/);
  });

  it('finds an executable in an override folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-electron-'));
    execFileSync('sh', ['-c', `touch "${join(dir, platformExecutable())}"`]);
    expect(findElectronBinary({ env: { ELECTRON_OVERRIDE_DIST_PATH: dir } }).path).toBe(join(dir, platformExecutable()));
  });
});

describe('npm start without the Electron binary', () => {
  it('prints one line about it, then serves the UI in web mode at the printed URL', async () => {
    if (!existsSync(join(root, 'dist/cli/framescope.mjs'))) execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root });
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0'], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: mkdtempSync(join(tmpdir(), 'fs-no-electron-')), FRAMESCOPE_START_NO_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let served: string | undefined;
    child.stdout.on('data', (d) => { out += String(d); });
    child.stderr.on('data', (d) => { out += String(d); });
    try {
      const url = await new Promise<string>((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 20 s; output:\n${out}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /Framescope is running at (http:\/\/\S+)/.exec(out);
          if (m) { clearTimeout(timer); resolvePromise(m[1]!); }
        });
        child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${out}`)));
      });
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^npm start: the Electron binary is missing \(nothing at .*\): starting the same UI in web mode instead$/);
      served = url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // Stopping `npm start` stops the server it started.
    expect(await fetch(served!).then(() => 'still serving', () => 'stopped')).toBe('stopped');
  }, 40_000);
});

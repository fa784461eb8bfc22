// Bundles the `framescope` command into dist/cli/framescope.mjs (runs on `npm ci` through `prepare`).
import { build } from 'esbuild';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';

await build({
  entryPoints: ['electron/cli/framescope.ts'],
  outfile: 'dist/cli/framescope.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Native and optional modules stay outside the bundle; ws's optional accelerators are looked up at run time.
  external: ['cap', '@framescope/packet-stats', 'bufferutil', 'utf-8-validate', 'playwright-core', 'electron'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// npm links the bins of dependencies, not the project's own: link ours so `npx framescope` works in this folder.
mkdirSync('node_modules/.bin', { recursive: true });
if (process.platform === 'win32') {
  writeFileSync('node_modules/.bin/framescope.cmd', '@node "%~dp0\\..\\..\\bin\\framescope.js" %*\r\n');
} else {
  rmSync('node_modules/.bin/framescope', { force: true });
  symlinkSync('../../bin/framescope.js', 'node_modules/.bin/framescope');
}

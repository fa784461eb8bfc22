// Bundles the `framescope` command into dist/cli/framescope.mjs and its chunks (runs on `npm ci` through `prepare`).
import { build } from 'esbuild';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';

// Split: the entry holds the argument parser, each sub-command's code is a chunk beside it that is loaded when the
// command runs (framescope.ts imports them dynamically), so `read` starts without parsing the proxy, web server,
// demo and capture code. Chunks stay in dist/cli itself: serve finds the renderer relative to its own file.
rmSync('dist/cli', { recursive: true, force: true });
await build({
  // The worker thread of `read` (electron/engine/capture/file-ingest.ts) is an entry of its own, found beside the chunks.
  entryPoints: { framescope: 'electron/cli/framescope.ts', 'file-reassembly-worker': 'electron/engine/capture/file-reassembly-worker.ts' },
  outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  minifySyntax: true,
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

// Bundles the desktop shell into dist/app/: main.cjs (the main process, with the engine) and preload.cjs.
// Both are CommonJS: a sandboxed preload must be, and a CommonJS main keeps Electron's start-up events (open-file
// at launch, registering the app:// scheme before 'ready') in order. import.meta.url, which the engine uses to
// find `cap`, is rewritten to this file's URL.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/app/main.ts'],
    outfile: 'dist/app/main.cjs',
    // electron is provided by the runtime; cap and @framescope/packet-stats are native (unpacked from the asar); ws's
    // optional accelerators are looked up at run time.
    external: ['electron', 'cap', '@framescope/packet-stats', 'bufferutil', 'utf-8-validate'],
    define: { 'import.meta.url': '__framescope_import_meta_url' },
    banner: { js: "const __framescope_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    entryPoints: ['electron/app/preload.ts'],
    outfile: 'dist/app/preload.cjs',
    // A sandboxed preload may require only 'electron' (and a few Node built-ins); everything else is bundled.
    external: ['electron'],
    platform: 'browser',
  }),
]);

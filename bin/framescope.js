#!/usr/bin/env node
// Entry point of the `framescope` command: runs the bundle that `npm ci` builds (scripts/build-cli.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/framescope.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('framescope: the command is not built yet; run `npm ci` (or `npm run build:cli`) in the framescope folder\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);

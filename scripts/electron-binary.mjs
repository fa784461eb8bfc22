// Where the Electron binary is, found without `require('electron')`: that module downloads the binary when it is
// missing, which cannot work here and would hang `npm start` and the tests. Same lookup as the electron package:
// ELECTRON_OVERRIDE_DIST_PATH first, then node_modules/electron/dist (path.txt names the executable inside).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The executable's path inside an Electron dist folder, per platform (as electron's install.js writes it). */
export function platformExecutable(platform = process.platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * `{ path }` of an Electron executable that exists, or `{ reason }` saying why there is none.
 * @param {{ env?: Record<string, string | undefined>, root?: string, platform?: string }} [opts]
 */
export function findElectronBinary(opts = {}) {
  const env = opts.env ?? process.env;
  const pkg = join(opts.root ?? ROOT, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  const executable = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : platformExecutable(opts.platform);
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, executable);
    return isFile(path) ? { path } : { reason: `nothing at ${path} (from ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is not installed (npm ci)' };
  const path = join(pkg, 'dist', executable);
  return isFile(path) ? { path } : { reason: `nothing at ${relative(process.cwd(), path) || path}` };
}

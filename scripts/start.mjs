// `npm start`: builds the CLI, the renderer and the desktop shell, then launches the desktop app. Where the
// Electron binary is missing it says so in one line and starts the same UI in web mode (`framescope serve`),
// which prints the URL to open. Arguments after `--` go to the app (e.g. `npm start -- capture.pcapng`); in web
// mode only --host and --port are used.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);

function step(label, command, commandArgs) {
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`npm start: ${label} failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(r.status ?? 1);
  }
}

// FRAMESCOPE_START_NO_BUILD=1 starts what is already built (the test of this script uses it, so it does not
// rebuild dist/ under tests running beside it).
if (process.env.FRAMESCOPE_START_NO_BUILD !== '1') {
  step('building the CLI', process.execPath, ['scripts/build-cli.mjs']);
  step('building the renderer', process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'build:renderer']);
  step('building the desktop shell', process.execPath, ['scripts/build-app.mjs']);
}

/** `--host X` and `--port N` (or `--port=N`) are for web mode: `npm start -- --port 0`. */
function serveArgs(list) {
  const out = [];
  for (let i = 0; i < list.length; i++) {
    const m = /^--(host|port)(?:=(.*))?$/.exec(list[i]);
    if (!m) continue;
    const value = m[2] ?? list[++i];
    if (value !== undefined) out.push(`--${m[1]}`, value);
  }
  return out;
}

/** Runs a child in the foreground: Ctrl+C and termination reach it, and its exit code becomes ours. */
function foreground(command, commandArgs, env) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (e) => {
    console.error(`npm start: cannot run ${command}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = findElectronBinary();
if (electron.path) {
  // ELECTRON_RUN_AS_NODE inherited from a parent tool would turn the app into a bare Node.
  const { ELECTRON_RUN_AS_NODE: _ignored, ...env } = process.env;
  foreground(electron.path, ['dist/app/main.cjs', ...args], env);
} else {
  console.log(`npm start: the Electron binary is missing (${electron.reason}; ELECTRON_OVERRIDE_DIST_PATH can point to one): starting the same UI in web mode instead`);
  foreground(process.execPath, ['bin/framescope.js', 'serve', ...serveArgs(args)], process.env);
}

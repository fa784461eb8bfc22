// The layering rule of DESIGN.md, checked on every test run: shared/ imports nothing outside itself (no Node, DOM or
// Electron), renderer/ never imports electron/, and only electron/app/ imports 'electron'.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..'));
const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^.\w])require\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
// Browser/Node globals that would tie shared/ to one runtime.
const SHARED_FORBIDDEN_GLOBALS = /(?<![\w.])(Buffer|process|window|document|require|__dirname|localStorage|navigator)\s*[.(\[]/;

function* files(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield path;
  }
}

const problems = [];
function check(area, rule) {
  for (const file of files(join(root, area))) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      const why = rule(spec, file);
      if (why) problems.push(`${rel}: imports '${spec}': ${why}`);
    }
    if (area === 'shared') {
      text.split('\n').forEach((line, i) => {
        if (/^\s*(\*|\/\*)/.test(line)) return; // a comment line
        const code = line.replace(/\/\/.*$/, '').replace(/\/\*.*?\*\//g, '').replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '');
        if (SHARED_FORBIDDEN_GLOBALS.test(code)) problems.push(`${rel}:${i + 1}: uses a Node/DOM global in shared/`);
      });
    }
  }
}

const inside = (spec, file, dir) => spec.startsWith('.') && resolve(dirname(file), spec).startsWith(join(root, dir) + sep);

check('shared', (spec, file) => {
  if (!spec.startsWith('.')) return 'shared/ may import only relative files inside shared/ (no packages, no node:, no electron)';
  if (!inside(spec, file, 'shared')) return 'shared/ may not import outside shared/';
  return undefined;
});
check('renderer/src', (spec, file) => {
  if (spec === 'electron' || spec.startsWith('electron/')) return 'the renderer talks to the engine only through the API contract';
  if (inside(spec, file, 'electron')) return 'renderer/ may not import electron/';
  if (spec.startsWith('node:')) return 'the renderer runs in a browser';
  return undefined;
});
check('electron/engine', (spec) => (spec === 'electron' ? "the engine runs without Electron; only electron/app imports 'electron'" : undefined));
check('electron/cli', (spec) => (spec === 'electron' ? "the CLI runs without Electron; only electron/app imports 'electron'" : undefined));

if (problems.length) {
  console.error(`import rules: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('import rules: shared/ is pure, renderer/ and engine/ keep their layers');

/** The layering rule (DESIGN.md): checked by scripts/check-imports.mjs, which must catch each kind of violation. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'check-imports.mjs');

function check(files: Record<string, string>): { code: number; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'fs-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}

describe('import layering', () => {
  it('passes on this repository', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('accepts pure shared code and allowed imports', () => {
    expect(check({
      'shared/a.ts': "import { b } from './b';\nexport const a = b; // Buffer.from is mentioned only in a comment",
      'shared/b.ts': 'export const b = new TextEncoder();',
      'renderer/src/x.ts': "import { a } from '../../shared/a';\nimport React from 'react';",
      'electron/app/main.ts': "import { app } from 'electron';",
    }).code).toBe(0);
  });

  const violations: Array<[string, Record<string, string>, RegExp]> = [
    ['a Node module in shared/', { 'shared/x.ts': "import { readFileSync } from 'node:fs';" }, /shared\/x.ts: imports 'node:fs'/],
    ['a package in shared/', { 'shared/x.ts': "import React from 'react';" }, /shared\/x.ts: imports 'react'/],
    ['a path out of shared/', { 'shared/x.ts': "export * from '../electron/engine/y';" }, /may not import outside shared/],
    ['Buffer in shared/', { 'shared/x.ts': 'export const b = Buffer.from("a");' }, /shared\/x.ts:1: uses a Node\/DOM global/],
    ['document in shared/', { 'shared/x.ts': 'export const d = document.title;' }, /uses a Node\/DOM global/],
    ['electron/ from the renderer', { 'renderer/src/x.ts': "import { y } from '../../electron/engine/y';" }, /renderer\/ may not import electron\//],
    ["'electron' in the engine", { 'electron/engine/x.ts': "import { app } from 'electron';" }, /only electron\/app imports 'electron'/],
    ['a dynamic import', { 'shared/x.ts': "const m = await import('node:net');" }, /imports 'node:net'/],
  ];
  for (const [name, files, message] of violations) {
    it(`rejects ${name}`, () => {
      const r = check(files);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(message);
    });
  }
});

/** Writes a benchmark's result table into README.md between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function writeReadmeSection(name: string, markdown: string): void {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  const text = readFileSync(path, 'utf8');
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`README.md has no ${open} … ${close} section`);
  writeFileSync(path, `${text.slice(0, a + open.length)}\n${markdown.trim()}\n${text.slice(b)}`);
}

export function machineLine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

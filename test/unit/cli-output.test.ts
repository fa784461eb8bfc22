import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushOutput, output } from '../../electron/cli/output';

/** What reached process.stdout.write, one entry per call, as text. */
function captureStdout(): string[] {
  const writes: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return writes;
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(() => { flushOutput(); vi.restoreAllMocks(); });

describe('CLI output', () => {
  it('writes the lines of one turn of the event loop at its end, in one write, newlines added once', async () => {
    const writes = captureStdout();
    for (let i = 0; i < 100; i++) output(`line ${i} → ü`);
    output('ends with its own newline\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBe(`${Array.from({ length: 100 }, (_, i) => `line ${i} → ü\n`).join('')}ends with its own newline\n`);
    output('a later turn');
    await nextTurn();
    expect(writes.slice(1)).toEqual(['a later turn\n']);
  });

  it('writes in chunks of at most 64 KiB when one turn prints more, and a line longer than that whole, all in order', async () => {
    const writes = captureStdout();
    const lines = Array.from({ length: 5000 }, (_, i) => `${String(i).padStart(6)} ${'x'.repeat(40)} ←`);
    const long = 'y'.repeat(100_000);
    for (const l of lines.slice(0, 2500)) output(l);
    output(long);
    for (const l of lines.slice(2500)) output(l);
    await nextTurn();
    expect(writes.length).toBeGreaterThan(3);
    expect(Math.max(...writes.filter((w) => !w.startsWith('y')).map((w) => Buffer.byteLength(w)))).toBeLessThanOrEqual(64 * 1024);
    expect(writes.join('')).toBe(`${lines.slice(0, 2500).join('\n')}\n${long}\n${lines.slice(2500).join('\n')}\n`);
  });

  it('flushOutput writes what waits at once (before an error on stderr)', () => {
    const writes = captureStdout();
    output('before the error');
    flushOutput();
    expect(writes).toEqual(['before the error\n']);
  });
});

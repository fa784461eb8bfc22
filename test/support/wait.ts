/** Waiting for asynchronous effects of real sockets and processes, and undoing what a test started. */
import { afterEach } from 'vitest';

/** Polls `probe` every 10 ms until it gives a value other than undefined or false; fails after `ms`. */
export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A list of clean-ups run after each test of the file, last registered first (a client closes before its server).
 * Call at module level: `const cleanup = cleanupAfterEach(); … cleanup.push(() => server.close());`
 */
export function cleanupAfterEach(): Array<() => Promise<unknown> | unknown> {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });
  return cleanup;
}

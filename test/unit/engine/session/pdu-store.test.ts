/**
 * The PDU store against a plain array of what was appended: reads give the appended bytes back whatever state they
 * are in (current batch, staged or kept, waiting for or in an asynchronous write, on disk, in memory slabs), flush()
 * leaves the whole file on disk, close() closes and removes it once the write in flight has returned.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PduStore } from '../../../../electron/engine/session/pdu-store';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 0x100000000; };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Runs `test` in a directory of its own, removed afterwards whatever happens. */
async function inTempDir(test: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pdu-store-test-'));
  try {
    await test(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(done()).toBe(true);
}

describe('PduStore', () => {
  for (const path of [true, false]) {
    it(`${path ? 'on disk' : 'in memory'}: every read gives the appended bytes, wherever they are`, async () => {
      await inTempDir(async (dir) => {
        const file = join(dir, 'pdus.bin');
        const store = new PduStore(path ? file : undefined, 256, 5, 1024);
        const random = rng(7);
        const truth: number[] = [];
        const starts: number[] = [];
        const sizes = [1, 7, 100, 255, 256, 257, 600, 3000, 8192, 20_000, 300_000];
        for (let i = 0; i < 500; i++) {
          const n = sizes[Math.floor(random() * sizes.length)];
          const bytes = new Uint8Array(n);
          for (let k = 0; k < n; k++) bytes[k] = (i * 31 + k * 7) & 0xff;
          // Kept bytes the caller never changes again; the others it reuses at once (the store copied them).
          const kept = random() < 0.5;
          starts.push(truth.length);
          expect(store.append(bytes, kept)).toBe(truth.length);
          for (const b of bytes) truth.push(b);
          if (!kept) bytes.fill(0xee);
          if (random() < 0.3) await tick();
          if (random() < 0.2) await new Promise((r) => setTimeout(r, 6));
          // A PDU, and a run of several, read back at once.
          const a = Math.floor(random() * starts.length);
          const b = Math.min(starts.length - 1, a + Math.floor(random() * 3));
          const from = starts[a];
          const to = b + 1 < starts.length ? starts[b + 1] : truth.length;
          expect(Buffer.from(store.read(from, to - from)).equals(Buffer.from(truth.slice(from, to)))).toBe(true);
        }
        expect(store.size).toBe(truth.length);
        if (path) {
          store.flush();
          expect(Buffer.from(readFileSync(file)).equals(Buffer.from(truth))).toBe(true);
          store.close(true);
          expect(existsSync(file)).toBe(false);
          for (let i = 0; i < 50; i++) await tick(); // writes still in flight return to a closed store harmlessly
        }
      });
    });
  }

  it('writes kept PDUs from where they are, staged ones in order around them', async () => {
    await inTempDir(async (dir) => {
      const file = join(dir, 'p.bin');
      const store = new PduStore(file, 64 << 10, 5, 256 << 10);
      const pdus: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) {
        // A 40 KiB PDU after every few small ones: a batch is staged regions and kept PDUs, interleaved.
        const n = i % 4 === 3 ? 40 << 10 : 10 + i;
        const pdu = new Uint8Array(n).map((_, k) => (i + k * 13) & 0xff);
        pdus.push(pdu);
        store.append(pdu, true);
        if (i % 50 === 0) await tick();
      }
      const whole = Buffer.concat(pdus);
      expect(Buffer.from(store.read(0, whole.length)).equals(whole)).toBe(true);
      store.flush();
      expect(readFileSync(file).equals(whole)).toBe(true);
      store.close(true);
    });
  });

  it('scans in store order through its read-ahead window while the file grows behind it', async () => {
    await inTempDir(async (dir) => {
      const store = new PduStore(join(dir, 'p.bin'), 4096, 500, 1 << 20);
      const random = rng(11);
      const pdus: { at: number; bytes: Uint8Array }[] = [];
      // Mostly small PDUs (many to a window), some that straddle a window's end, a few larger than a window.
      const sizes = [5, 38, 38, 38, 200, 1500, 9000, 70_000];
      let scanned = 0;
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 150; i++) {
          const n = sizes[Math.floor(random() * sizes.length)];
          const bytes = new Uint8Array(n);
          for (let k = 0; k < n; k++) bytes[k] = (pdus.length * 13 + k) & 0xff;
          pdus.push({ at: store.append(bytes), bytes });
        }
        // Every other round the newest bytes reach the disk: the window's limit moves on under it.
        if (round % 2 === 0) store.flush();
        // Read on from where the last scan stopped, then a few frames back (the UI scrolling up).
        for (; scanned < pdus.length; scanned++) {
          const { at, bytes } = pdus[scanned];
          expect(Buffer.from(store.read(at, bytes.length)).equals(Buffer.from(bytes))).toBe(true);
        }
        for (let k = 0; k < 5; k++) {
          const { at, bytes } = pdus[Math.floor(random() * pdus.length)];
          expect(Buffer.from(store.read(at, bytes.length)).equals(Buffer.from(bytes))).toBe(true);
        }
      }
      store.close(true);
    });
  });

  it('is behind past maxInFlight bytes waiting for the disk, and calls back once half of that is written', async () => {
    await inTempDir(async (dir) => {
      const store = new PduStore(join(dir, 'p.bin'), 1000, 500, 4000);
      const inFlight = (): number => (store as unknown as { inFlightBytes: number }).inFlightBytes;
      let caughtUp = 0;
      store.whenCaughtUp(() => caughtUp++);
      expect(caughtUp).toBe(1); // not behind: at once
      let appended = 0;
      while (!store.behind) store.append(new Uint8Array(999).fill(appended++));
      expect(inFlight()).toBeGreaterThanOrEqual(4000);
      // Nothing was written synchronously yet: the asynchronous writes are still queued, in memory.
      expect(statSync(join(dir, 'p.bin')).size).toBeLessThan(appended * 999);
      store.whenCaughtUp(() => caughtUp++);
      expect(caughtUp).toBe(1);
      await until(() => caughtUp === 2);
      expect(inFlight()).toBeLessThanOrEqual(2000);
      expect(store.behind).toBe(false);
      for (let i = 0; i < appended; i++) expect(store.read(i * 999, 999).every((b) => b === (i & 255))).toBe(true);
      store.close(true);
    });
  });

  it('calls back a producer waiting for the disk when it is closed', async () => {
    await inTempDir(async (dir) => {
      const store = new PduStore(join(dir, 'p.bin'), 1000, 500, 4000);
      while (!store.behind) store.append(new Uint8Array(999));
      let caughtUp = false;
      store.whenCaughtUp(() => { caughtUp = true; });
      store.close(true);
      expect(caughtUp).toBe(true);
    });
  });

  it('keeps at most twice maxInFlight bytes waiting for the disk when the producer does not wait', async () => {
    await inTempDir(async (dir) => {
      const store = new PduStore(join(dir, 'p.bin'), 1000, 500, 4000);
      for (let i = 0; i < 100; i++) store.append(new Uint8Array(999).fill(i));
      expect((store as unknown as { inFlightBytes: number }).inFlightBytes).toBeLessThanOrEqual(8000);
      for (let i = 0; i < 100; i++) expect(store.read(i * 999, 999).every((b) => b === i)).toBe(true);
      store.close(true);
    });
  });
});

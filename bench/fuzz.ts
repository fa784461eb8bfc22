/**
 * Mutation fuzzing of every protocol's framer, peek and decoder: 1,000,000 mutated PDUs per protocol by default
 * (`npm run fuzz -- --count N`, `--protocol id`). Any exception, or an input that is slow to decode every time it is
 * tried (a hang in the making, as opposed to a GC pause), is reported and makes the run fail. Deterministic for a
 * given --seed.
 */
import { toHex } from '../shared/codec/bytes';
import type { Direction } from '../shared/codec/protocol';
import { PROTOCOLS } from '../shared/protocols/index';
import { corpus } from './corpus';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const COUNT = Number(arg('count', '1000000'));
const ONLY = arg('protocol', '');
let seed = Number(arg('seed', '1'));

/** xorshift32: fast and reproducible. */
function rnd(n: number): number {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) % n;
}

function mutate(src: Uint8Array, other: Uint8Array): Uint8Array {
  let b: Uint8Array = src.slice();
  const rounds = 1 + rnd(4);
  for (let k = 0; k < rounds; k++) {
    switch (rnd(9)) {
      case 0: if (b.length) b[rnd(b.length)] ^= 1 << rnd(8); break;
      case 1: if (b.length) b[rnd(b.length)] = [0, 0xff, 0x7f, 0x80, 1][rnd(5)]; break;
      case 2: b = b.subarray(0, rnd(b.length + 1)); break;
      case 3: { const at = rnd(b.length + 1); const ins = Uint8Array.from({ length: 1 + rnd(8) }, () => rnd(256)); b = concat(b.subarray(0, at), ins, b.subarray(at)); break; }
      case 4: { const at = rnd(b.length + 1); b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rnd(8)))); break; }
      case 5: if (b.length >= 4) { const at = rnd(Math.min(b.length - 3, 24)); b[at] = 0x7f; b[at + 1] = 0xff; b[at + 2] = 0xff; b[at + 3] = 0xff; } break; // huge length
      case 6: b = concat(b.subarray(0, rnd(b.length + 1)), other.subarray(rnd(other.length + 1))); break; // splice
      case 7: if (b.length) { const at = rnd(b.length); b[at] = (b[at] + (rnd(2) ? 1 : -1)) & 0xff; } break; // off by one
      default: b = concat(b, Uint8Array.from({ length: rnd(16) }, () => rnd(256)));
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const SLOW_MS = 200;
let failures = 0;

function preview(b: Uint8Array): string {
  return b.length > 96 ? `${toHex(b.subarray(0, 96))}… (${b.length} bytes)` : toHex(b);
}

function runOnce(protocol: (typeof PROTOCOLS)[number], input: Uint8Array, dir: Direction): number {
  const start = performance.now();
  protocol.framer(dir).frame(input, 0, input.length);
  protocol.peek(input, dir);
  protocol.decode(input, dir);
  return performance.now() - start;
}
for (const protocol of PROTOCOLS) {
  if (ONLY && protocol.id !== ONLY) continue;
  const seeds = corpus(protocol.id);
  if (seeds.length === 0) continue;
  const t0 = Date.now();
  let slowest = 0;
  for (let i = 0; i < COUNT; i++) {
    const a = seeds[rnd(seeds.length)];
    const input = mutate(a.bytes, seeds[rnd(seeds.length)].bytes);
    const dir: Direction = rnd(8) === 0 ? (a.direction === 'c2s' ? 's2c' : 'c2s') : a.direction;
    let ms = 0;
    try {
      ms = runOnce(protocol, input, dir);
      // Slow once may be a GC pause or a busy machine; slow every time is a bug.
      if (ms > SLOW_MS) ms = Math.min(ms, runOnce(protocol, input, dir), runOnce(protocol, input, dir));
    } catch (e) {
      failures++;
      if (failures <= 20) console.log(`EXCEPTION ${protocol.id} ${dir} ${preview(input)}: ${(e as Error).stack}`);
    }
    slowest = Math.max(slowest, ms);
    if (ms > SLOW_MS) { failures++; console.log(`SLOW ${protocol.id} ${dir} ${ms.toFixed(1)} ms: ${preview(input)}`); }
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`${protocol.id}: ${COUNT.toLocaleString('en')} mutated PDUs in ${secs.toFixed(1)} s, slowest ${slowest.toFixed(2)} ms`);
}
console.log(failures ? `fuzz: ${failures} failure(s)` : 'fuzz: no exceptions, no hangs');
process.exitCode = failures ? 1 : 0;

/**
 * Codec speed per protocol: frames/s for deframe + summary (the engine's hot path: every captured frame) and for a
 * full tree decode (the selected frame), each against a baseline measured in the same run on the same bytes —
 * a bare loop that only finds PDU boundaries by reading the length field, with no protocol knowledge beyond that.
 * Writes the table into README.md. Run with `npm run bench`.
 */
import { concatBytes } from '../shared/codec/bytes';
import { StreamDeframer } from '../shared/codec/framing';
import type { Direction, Protocol } from '../shared/codec/protocol';
import { PROTOCOLS } from '../shared/protocols/index';
import { streamable } from './corpus';
import { machineLine, writeReadmeSection } from './readme-table';

const TARGET_BYTES = 8 * 1024 * 1024;
const CHUNK = 64 * 1024;

interface Row { protocol: string; direction: Direction; frames: number; avgBytes: number; baselineNs: number; peekNs: number; decodeNs: number }

function stream(pdus: Uint8Array[]): { data: Uint8Array; count: number } {
  const one = concatBytes(pdus);
  const reps = Math.max(1, Math.floor(TARGET_BYTES / one.length));
  return { data: concatBytes(Array.from({ length: reps }, () => one)), count: reps * pdus.length };
}

/** Best of several runs, in ns per frame. */
function time(frames: number, fn: () => void, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best / frames;
}

/** Baseline: the same stream cut at PDU boundaries known in advance, touching each PDU's first 8 bytes. */
function baseline(data: Uint8Array, lengths: number[]): number {
  let sink = 0;
  let off = 0;
  for (const n of lengths) {
    const view = data.subarray(off, off + n);
    sink += view[0] ^ view[Math.min(7, n - 1)];
    off += n;
  }
  return sink;
}

function bench(protocol: Protocol, direction: Direction): Row | undefined {
  const pdus = streamable(protocol, direction);
  if (pdus.length === 0) return undefined;
  const { data, count } = stream(pdus);
  const lengths: number[] = [];
  for (let i = 0; lengths.length < count; i = (i + 1) % pdus.length) lengths.push(pdus[i].length);

  let seen = 0;
  const peekNs = time(count, () => {
    const d = new StreamDeframer(protocol.framer(direction));
    seen = 0;
    for (let at = 0; at < data.length; at += CHUNK) {
      for (const pdu of d.push(data.subarray(at, at + CHUNK))) {
        if (!pdu.skipped) { protocol.peek(pdu.bytes, direction); seen++; }
      }
    }
  });
  if (seen !== count) throw new Error(`${protocol.id} ${direction}: deframed ${seen} of ${count} frames`);
  const sample = lengths.length > 20000 ? 20000 : lengths.length;
  const decodeNs = time(sample, () => {
    let off = 0;
    for (let i = 0; i < sample; i++) { protocol.decode(data.subarray(off, off + lengths[i]), direction); off += lengths[i]; }
  });
  const baselineNs = time(count, () => baseline(data, lengths));
  return { protocol: protocol.id, direction, frames: count, avgBytes: Math.round(data.length / count), baselineNs, peekNs, decodeNs };
}

const rows: Row[] = [];
for (const p of PROTOCOLS) for (const dir of ['c2s', 's2c'] as const) {
  const r = bench(p, dir);
  if (r) { rows.push(r); console.log(`${r.protocol} ${r.direction}: deframe+summary ${r.peekNs.toFixed(0)} ns, tree ${(r.decodeNs / 1000).toFixed(2)} µs`); }
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);
const table = [
  `Measured by \`npm run bench\` on ${machineLine()}. Streams of the golden fixtures (about 8 MiB per row), cut in 64 KiB chunks.`,
  'Baseline: a loop over the same PDUs at boundaries known in advance (the cost of touching each frame, no protocol logic).',
  '',
  '| protocol | dir | avg PDU | deframe + summary | per frame | × baseline | full tree | per frame |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.protocol} | ${r.direction} | ${r.avgBytes} B | ${fmt(1e9 / r.peekNs)}frames/s | ${r.peekNs.toFixed(0)} ns | ${(r.peekNs / r.baselineNs).toFixed(0)}× | ${fmt(1e9 / r.decodeNs)}frames/s | ${(r.decodeNs / 1000).toFixed(2)} µs |`),
].join('\n');
writeReadmeSection('codec', table);
console.log(`\n${table}\n\nREADME.md updated.`);

/**
 * Display-filter speed: ns per test() for a few filters, each against a hand-written JavaScript predicate doing the
 * same check through the same lookup (the floor a compiler could reach). Run: `npx tsx bench/filter.bench.ts`.
 * Exits non-zero if a compiled filter and its baseline disagree on any frame, so the numbers compare equal work.
 */
import { compileFilter, type Lookup } from '../shared/filter/index';
import type { CatalogEntry } from '../shared/codec/schema';
import type { FieldValue } from '../shared/codec/tree';

const catalog: CatalogEntry[] = [
  { abbrev: 'flyer.protocol', type: 'u32', label: 'Protocol', enum: { 1000: 'PullTopology', 1002: 'ShakeHand', 1003: 'ShakeHandResponse', 1006: 'ExecuteJob', 1008: 'ReportJobResult' } },
  { abbrev: 'flyer.packet_id', type: 'u64', label: 'Packet id' },
  { abbrev: 'tt.module_id', type: 'u16', label: 'Module', enum: { 1: 'LOGIN', 2: 'BUDDY_LIST', 3: 'MSG' } },
  { abbrev: 'tt.user_id_url', type: 'string', label: 'User id' },
  { abbrev: 'hodor.body', type: 'bytes', label: 'Body', dynamic: true },
];

type Frame = Record<string, FieldValue | FieldValue[]>;

/** A mixed capture: flyer, tt (with a repeated field) and hodor frames on a few connections. */
function frames(count: number): Frame[] {
  const out: Frame[] = [];
  const hex = (s: string): string => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('');
  for (let i = 0; i < count; i++) {
    const base: Frame = {
      'frame.number': i + 1, 'frame.len': 20 + (i % 300), 'tcp.stream': i % 7,
      'ip.src': i % 3 === 0 ? '10.0.0.5' : '::ffff:192.168.1.20', 'ip.dst': i % 5 === 0 ? '172.16.0.9' : '10.1.2.3',
      'tcp.srcport': 40000 + (i % 50), 'tcp.dstport': [20180, 46367, 8000][i % 3],
      'fs.direction': i % 2 ? 's2c' : 'c2s', 'fs.malformed': i % 97 === 0,
    };
    switch (i % 3) {
      case 0:
        out.push({ ...base, 'fs.protocol': 'flyer', 'fs.message': i % 6 ? 'ShakeHand' : 'ExecuteJob', 'flyer.protocol': [1000, 1002, 1003, 1006, 1008][i % 5], 'flyer.packet_id': (9007199254740990n + BigInt(i % 5)).toString() });
        break;
      case 1:
        out.push({ ...base, 'fs.protocol': 'tt', 'fs.message': 'Login', 'tt.module_id': 1 + (((i / 3) | 0) % 3), 'tt.user_id_url': [`u${i % 50}`, `u${(i + 7) % 50}`, `u${(i + 13) % 50}`] });
        break;
      default:
        out.push({ ...base, 'fs.protocol': 'hodor', 'fs.message': 'JobExecute', 'hodor.body': hex(`{"requestId":${i},"status":"${i % 4 ? 'RUNNING' : 'SUCCEEDED'}"}`) });
    }
  }
  return out;
}

function alignedIndex(hex: string, needle: string): boolean {
  for (let i = hex.indexOf(needle); i >= 0; i = hex.indexOf(needle, i + 1)) if ((i & 1) === 0) return true;
  return false;
}

// "SUCCEEDED" as hex, computed once so the baseline does no conversion per test either.
const SUCCEEDED_HEX = [...new TextEncoder().encode('SUCCEEDED')].map((b) => b.toString(16).padStart(2, '0')).join('');

/** What one would write by hand: IPv4 text (plain or IPv4-mapped) to a u32, cached, then a /8 mask. */
const v4Cache = new Map<string, number>();
function in10(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  let n = v4Cache.get(v);
  if (n === undefined) {
    const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(v);
    n = m ? ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0 : -1;
    v4Cache.set(v, n);
  }
  return n >= 0 && n >>> 24 === 10;
}

const cases: { filter: string; baseline: (lk: Lookup) => boolean }[] = [
  { filter: 'tt.module_id == LOGIN', baseline: (lk) => lk('tt.module_id') === 1 },
  { filter: 'flyer', baseline: (lk) => lk('fs.protocol') === 'flyer' },
  {
    filter: 'flyer.protocol in {1002 1003 1006} && fs.direction == c2s',
    baseline: (lk) => { const p = lk('flyer.protocol'); return (p === 1002 || p === 1003 || p === 1006) && lk('fs.direction') === 'c2s'; },
  },
  { filter: 'tcp.port == 20180', baseline: (lk) => lk('tcp.srcport') === 20180 || lk('tcp.dstport') === 20180 },
  {
    filter: 'ip.addr == 10.0.0.0/8',
    baseline: (lk) => in10(lk('ip.src')) || in10(lk('ip.dst')),
  },
  {
    filter: 'flyer.packet_id > 9007199254740992',
    baseline: (lk) => { const v = lk('flyer.packet_id'); return typeof v === 'string' && BigInt(v) > 9007199254740992n; },
  },
  {
    filter: 'tt.user_id_url == "u7"',
    baseline: (lk) => { const v = lk('tt.user_id_url'); return Array.isArray(v) ? v.includes('u7') : v === 'u7'; },
  },
  {
    filter: 'hodor.body contains "SUCCEEDED"',
    baseline: (lk) => { const v = lk('hodor.body'); return typeof v === 'string' && alignedIndex(v, SUCCEEDED_HEX); },
  },
  { filter: 'fs.message matches "(?i)^shake"', baseline: (lk) => { const v = lk('fs.message'); return typeof v === 'string' && /^shake/i.test(v); } },
  {
    filter: 'not fs.malformed and (frame.len >= 100 or tcp.stream in {1..3})',
    baseline: (lk) => { const s = lk('tcp.stream') as number; return lk('fs.malformed') !== true && ((lk('frame.len') as number) >= 100 || (s >= 1 && s <= 3)); },
  },
];

function time(all: Frame[], test: (lk: Lookup) => boolean, rounds: number): { ns: number; hits: number } {
  let current: Frame = all[0];
  const lk: Lookup = (name) => current[name];
  let hits = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < all.length; i++) {
      current = all[i];
      if (test(lk)) hits++;
    }
  }
  const ns = ((performance.now() - t0) * 1e6) / (rounds * all.length);
  return { ns, hits: hits / rounds };
}

// A few hundred frames stay in the CPU cache, so the numbers are the cost of the test, not of memory latency
// (the engine's lookup reads typed arrays and one decoded frame at a time, not ten thousand objects).
const data = frames(600);
const ROUNDS = 4000;
const rows: string[][] = [];
let failed = false;
for (const c of cases) {
  const r = compileFilter(c.filter, catalog);
  if (!r.ok) throw new Error(`${c.filter}: ${r.error.message}`);
  const compiled = r.filter.test.bind(r.filter);
  // Warm both up so the JIT has compiled them before timing; then alternate and keep the best of three.
  time(data, compiled, 20);
  time(data, c.baseline, 20);
  let best = { f: Infinity, b: Infinity, hf: 0, hb: 0 };
  for (let k = 0; k < 3; k++) {
    const f = time(data, compiled, ROUNDS);
    const b = time(data, c.baseline, ROUNDS);
    best = { f: Math.min(best.f, f.ns), b: Math.min(best.b, b.ns), hf: f.hits, hb: b.hits };
  }
  if (best.hf !== best.hb) { failed = true; console.error(`MISMATCH ${c.filter}: compiled ${best.hf} hits, baseline ${best.hb}`); }
  rows.push([c.filter, best.f.toFixed(1), best.b.toFixed(1), (best.f / best.b).toFixed(2), `${best.hf}/${data.length}`]);
}

const header = ['filter', 'compiled ns/test', 'hand-written ns/test', 'ratio', 'matches'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`node ${process.version}, ${data.length} frames × ${ROUNDS} rounds, best of 3\n`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
if (failed) process.exit(1);

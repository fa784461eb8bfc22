/** Loading the golden fixtures in test/fixtures/<protocol>/*.json (format: test/fixtures/README.md). */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../shared/codec/bytes';
import type { Direction } from '../../shared/codec/protocol';
import type { FieldNode } from '../../shared/codec/tree';

export const FIXTURE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface ExpectedNote {
  severity: 'error' | 'warn' | 'info';
  contains?: string;
}

export interface Fixture {
  protocol: string;
  file: string;
  description: string;
  direction: Direction;
  bytes: Uint8Array;
  message: string;
  fields: Record<string, unknown>;
  notes: ExpectedNote[];
  roundTrip: boolean;
  context?: Record<string, unknown>;
  variant?: string;
  charset?: 'utf-8' | 'gbk';
}

/** Joins annotated hex lines: `|` separators allowed, `#` starts a comment. */
export function annotatedHex(lines: string | string[]): Uint8Array {
  const text = (Array.isArray(lines) ? lines : [lines]).map((l) => l.replace(/#.*$/, '')).join(' ');
  return fromHex(text);
}

/** Protocol ids with golden fixtures (other folders hold capture files and such). */
export function fixtureProtocols(): string[] {
  if (!existsSync(FIXTURE_ROOT)) return [];
  const protocols = join(FIXTURE_ROOT, '..', '..', 'shared', 'protocols');
  return readdirSync(FIXTURE_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(protocols, d.name, `${d.name}.protocol.ts`)))
    .map((d) => d.name)
    .sort();
}

export function loadFixtures(protocol: string): Fixture[] {
  const dir = join(FIXTURE_ROOT, protocol);
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    return {
      protocol,
      file,
      description: raw.description ?? file,
      direction: raw.direction,
      bytes: annotatedHex(raw.hex),
      message: raw.message,
      fields: raw.fields ?? {},
      notes: raw.notes ?? [],
      roundTrip: raw.roundTrip ?? true,
      context: raw.context && Object.keys(raw.context).length ? raw.context : undefined,
      variant: raw.variant,
      charset: raw.charset,
    };
  });
}

/** Invariant 3: children inside their parent, siblings disjoint (generated zero-length nodes exempt). */
export function rangeViolations(nodes: readonly FieldNode[], parent?: FieldNode): string[] {
  const out: string[] = [];
  let lastEnd = -1;
  let lastName = '';
  for (const n of nodes) {
    const name = n.abbrev ?? n.label;
    if (n.start < 0 || n.length < 0) out.push(`${name}: negative range`);
    if (parent && (n.start < parent.start || n.start + n.length > parent.start + parent.length)) {
      out.push(`${name} [${n.start}+${n.length}] outside ${parent.abbrev ?? parent.label} [${parent.start}+${parent.length}]`);
    }
    if (n.length > 0 && !n.generated) {
      if (n.start < lastEnd) out.push(`${name} [${n.start}+${n.length}] overlaps ${lastName} (ends at ${lastEnd})`);
      lastEnd = n.start + n.length;
      lastName = name;
    }
    if (n.children) out.push(...rangeViolations(n.children, n));
  }
  return out;
}


/**
 * The explicit list of protocols. Everything that needs "all protocols" (CLI, engine, filters, UI) asks here;
 * building the registry throws on a duplicate id or field.
 */
import type { Direction, Protocol } from '../codec/protocol';
import type { CatalogEntry } from '../codec/schema';
import { flyerProtocol } from './flyer/flyer.protocol';
import { hodorProtocol } from './hodor/hodor.protocol';
import { httpProtocol } from './http/http.protocol';
import { pushProtocol } from './push/push.protocol';
import { ttProtocol } from './tt/tt.protocol';
import { txlcnProtocol } from './txlcn/txlcn.protocol';

export const PROTOCOLS: readonly Protocol[] = buildRegistry([flyerProtocol, hodorProtocol, ttProtocol, txlcnProtocol, pushProtocol, httpProtocol]);

/**
 * Heuristics in PROTOCOLS.md §7 order, most specific first. push appears twice: its client magic is the most specific
 * test of all, its broker frames among the weakest.
 */
const DETECTION_ORDER: ReadonlyArray<{ protocol: Protocol; direction?: Direction }> = [
  { protocol: pushProtocol, direction: 'c2s' },
  { protocol: txlcnProtocol },
  { protocol: flyerProtocol },
  { protocol: hodorProtocol },
  { protocol: httpProtocol },
  { protocol: pushProtocol, direction: 's2c' },
  { protocol: ttProtocol },
];

function buildRegistry(list: Protocol[]): Protocol[] {
  const ids = new Set<string>();
  const ports = new Map<number, string>();
  for (const p of list) {
    if (ids.has(p.id)) throw new Error(`protocol registry: duplicate id ${p.id}`);
    ids.add(p.id);
    for (const port of p.ports) {
      const other = ports.get(port);
      if (other) throw new Error(`protocol registry: port ${port} claimed by ${other} and ${p.id}`);
      ports.set(port, p.id);
    }
    const fields = new Set<string>();
    for (const f of p.catalog) {
      if (fields.has(f.abbrev)) throw new Error(`protocol registry: ${p.id} lists field ${f.abbrev} twice`);
      if (!f.abbrev.startsWith(`${p.id}.`)) throw new Error(`protocol registry: field ${f.abbrev} is outside ${p.id}.`);
      fields.add(f.abbrev);
    }
  }
  return list;
}

export function protocolIds(): string[] {
  return PROTOCOLS.map((p) => p.id);
}

export function getProtocol(id: string): Protocol | undefined {
  return PROTOCOLS.find((p) => p.id === id);
}

export function protocolForPort(port: number): Protocol | undefined {
  return PROTOCOLS.find((p) => p.ports.includes(port));
}

/** The first protocol whose heuristic accepts these first bytes (of the given direction, when known). */
export function detectProtocol(first: Uint8Array, direction?: Direction): { protocol: Protocol; direction?: Direction } | undefined {
  for (const entry of DETECTION_ORDER) {
    if (direction && entry.direction && entry.direction !== direction) continue;
    if (entry.protocol.detect(first, entry.direction ?? direction)) return { protocol: entry.protocol, direction: entry.direction ?? direction };
  }
  return undefined;
}

const CATALOG: readonly CatalogEntry[] = PROTOCOLS.flatMap((p) => p.catalog);

/** Every field of every protocol: what display filters and completion know. One array, so filters can cache on it. */
export function fieldCatalog(): readonly CatalogEntry[] {
  return CATALOG;
}

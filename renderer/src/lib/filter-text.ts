/**
 * Display-filter text built from what the user right-clicked: `abbrev == value` for a tree node, typed by the
 * field catalog so the literal is one the filter language reads back as the same value (decimal 64-bit ids bare,
 * text quoted, bytes as hex).
 */
import type { CatalogEntry } from '../../../shared/codec/schema';
import type { FieldNode, FieldValue } from '../../../shared/codec/tree';
import type { FrameRow } from '../../../shared/model/session';

/** The catalog entry of a field, or of the dynamic base it lives under (`hodor.body.code` → `hodor.body.`). */
export function catalogEntryFor(abbrev: string, catalog: readonly CatalogEntry[]): CatalogEntry | undefined {
  let best: CatalogEntry | undefined;
  for (const e of catalog) {
    if (e.abbrev === abbrev) return e;
    if (e.dynamic) {
      const base = e.abbrev.endsWith('.') ? e.abbrev : `${e.abbrev}.`;
      if (abbrev.startsWith(base) && (!best || base.length > best.abbrev.length)) best = e;
    }
  }
  return best;
}

/** A filter string literal: JSON's escapes are a subset of the filter language's. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

function numberLiteral(n: number): string {
  // Words may not contain '+': 1e+21 is written 1e21.
  return String(n).replace('e+', 'e');
}

/** The literal for a value of a field of this type. */
export function literal(value: FieldValue, entry: CatalogEntry | undefined): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return numberLiteral(value);
  switch (entry?.type) {
    case 'u8': case 'u16': case 'u32': case 'u64': case 'i8': case 'i16': case 'i32': case 'i64': case 'number':
      return /^-?\d+(\.\d+)?$/.test(value) ? value : quote(value);
    case 'bytes':
      return value === '' ? '""' : value;
    default:
      return quote(value);
  }
}

/**
 * `abbrev == value` for a tree node (the bare name for a presence-only field); undefined for a node a filter cannot
 * select: no name, or no value (a JSON object, a truncated field), which filters do not see either.
 */
export function filterForNode(node: FieldNode, catalog: readonly CatalogEntry[]): string | undefined {
  if (!node.abbrev || node.value === undefined) return undefined;
  const entry = catalogEntryFor(node.abbrev, catalog);
  if (entry?.type === 'none') return node.abbrev;
  return `${node.abbrev} == ${literal(node.value, entry)}`;
}

export function filterForConnection(connection: number): string {
  return `tcp.stream == ${connection}`;
}

export function filterForMessage(row: Pick<FrameRow, 'protocol' | 'message'>): string {
  return `fs.protocol == ${quote(row.protocol)} && fs.message == ${quote(row.message)}`;
}

/** `a` and `b` joined with `&&`, parenthesised where an `or` would bind wrongly. */
export function andFilters(a: string, b: string): string {
  const wrap = (f: string) => (/\bor\b|\|\|/i.test(f) ? `(${f})` : f);
  if (a.trim() === '') return b;
  return `${wrap(a.trim())} && ${wrap(b)}`;
}

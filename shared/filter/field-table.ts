/**
 * Every name a filter may use, resolved once per catalog: the built-in fields, each protocol id alone, the
 * catalog's fields, and any name under a `dynamic` base (`hodor.body.data.status`).
 */
import type { CatalogEntry, FieldType } from '../codec/schema';
import { BUILTIN_FIELDS, PROTOCOL_FIELD, type FieldKind } from './builtin-fields';

export interface FieldInfo {
  name: string;
  kind: FieldKind;
  /** Shown in completions and error messages: `u32`, `string`, `IP address`, `JSON`. */
  type: string;
  label: string;
  /** Names the lookup is asked for: usually just `name`. */
  reads: string[];
  /** Value name → the value texts it stands for (catalog enums; a name may be shared by several values). */
  names?: Map<string, string[]>;
  /** The only values accepted, as value → description (built-ins such as `fs.direction`). */
  closedValues?: Record<string, string>;
  /** Values offered by completion, value → description, when there are no enum names. */
  suggestedValues?: Record<string, string>;
  /** For a protocol id: the id that `fs.protocol` must equal. */
  protocol?: string;
  /** A base under which decoded members appear (`hodor.body.`): offered by completion, not a field itself. */
  base?: boolean;
}

export interface FieldTable {
  resolve(name: string): FieldInfo | undefined;
  /** What completion lists: built-ins, protocol ids, catalog fields and dynamic bases, in catalog order. */
  readonly all: readonly FieldInfo[];
  readonly protocols: readonly string[];
}

const KIND_OF: Record<FieldType, FieldKind> = {
  u8: 'int', u16: 'int', u32: 'int', i8: 'int', i16: 'int', i32: 'int',
  u64: 'int64', i64: 'int64',
  number: 'float', string: 'string', bytes: 'bytes', boolean: 'bool', json: 'any', none: 'none',
};

const tables = new WeakMap<readonly CatalogEntry[], FieldTable>();
let last: { catalog: readonly CatalogEntry[]; table: FieldTable } | undefined;

/**
 * The table for a catalog, built on first use and kept as long as the catalog array lives. A new array holding the
 * same entries (`PROTOCOLS.flatMap(p => p.catalog)` on every call) reuses the last table too: comparing a few
 * hundred references costs about a microsecond, rebuilding the table about half a millisecond.
 */
export function fieldTable(catalog: readonly CatalogEntry[]): FieldTable {
  let table = tables.get(catalog);
  if (!table && last && sameEntries(last.catalog, catalog)) table = last.table;
  if (!table) table = buildTable(catalog);
  tables.set(catalog, table);
  last = { catalog, table };
  return table;
}

function sameEntries(a: readonly CatalogEntry[], b: readonly CatalogEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function buildTable(catalog: readonly CatalogEntry[]): FieldTable {
  const byName = new Map<string, FieldInfo>();
  /** Dynamic base (without its trailing dot) → how its members compare. */
  const bases = new Map<string, { kind: FieldKind; type: string; label: string }>();
  const all: FieldInfo[] = [];
  const protocols: string[] = [];
  for (const e of catalog) {
    const id = e.abbrev.split('.')[0];
    if (id && !protocols.includes(id)) protocols.push(id);
  }
  const protocolValues = Object.fromEntries(protocols.map((p) => [p, 'protocol']));
  const add = (info: FieldInfo): void => { byName.set(info.name, info); all.push(info); };

  for (const id of protocols) {
    add({ name: id, kind: 'protocol', type: 'protocol', label: `The frame is ${id}`, reads: [PROTOCOL_FIELD], protocol: id });
  }
  for (const b of BUILTIN_FIELDS) {
    add({
      name: b.name, kind: b.kind, type: b.type, label: b.label, reads: b.reads ?? [b.name],
      ...(b.values ? { closedValues: b.values } : {}),
      ...(b.name === PROTOCOL_FIELD ? { suggestedValues: protocolValues } : {}),
      ...(b.kind === 'bool' ? { suggestedValues: { true: '', false: '' } } : {}),
    });
  }
  for (const e of catalog) {
    const kind = KIND_OF[e.type] ?? 'any';
    if (e.dynamic) {
      // `hodor.body.` (the catalog's form) is only a base, whose members have its type; a dynamic entry without the
      // dot is a field of its own whose members are JSON.
      const baseOnly = e.abbrev.endsWith('.');
      const base = baseOnly ? e.abbrev.slice(0, -1) : e.abbrev;
      if (!bases.has(base)) bases.set(base, baseOnly ? { kind, type: e.type, label: e.label } : { kind: 'any', type: 'json', label: `JSON member under ${base}` });
      if (baseOnly) { all.push({ name: e.abbrev, kind, type: e.type, label: e.label, reads: [], base: true }); continue; }
    }
    if (byName.has(e.abbrev)) continue; // first declaration wins; built-ins and protocol ids are never shadowed
    const info: FieldInfo = { name: e.abbrev, kind, type: e.type, label: e.label, reads: [e.abbrev] };
    if (e.enum && Object.keys(e.enum).length > 0) info.names = enumNames(e.enum);
    if (kind === 'bool') info.suggestedValues = { true: '', false: '' };
    add(info);
  }

  return {
    all,
    protocols,
    resolve(name) {
      const known = byName.get(name);
      if (known) return known;
      // A decoded member (`hodor.body.data.x`, `http.header.x-trace`): the longest base that is a dotted prefix.
      if (name.endsWith('.')) return undefined;
      for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
        const base = bases.get(name.slice(0, dot));
        if (base) return { name, kind: base.kind, type: base.type, label: base.label, reads: [name] };
      }
      return undefined;
    },
  };
}

function enumNames(values: Record<string, string>): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const [value, name] of Object.entries(values)) {
    const list = names.get(name);
    if (list) list.push(value); else names.set(name, [value]);
  }
  return names;
}

// The filter language against the real protocols: their catalogs, and every golden fixture decoded by the real
// decoders. A field the tree shows but a filter cannot find, or find by its own value, fails here.
import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../../../shared/codec/tree';
import { flattenFields } from '../../../shared/codec/tree';
import { compileFilter, suggestCompletions } from '../../../shared/filter/index';
import { fieldCatalog, getProtocol, PROTOCOLS } from '../../../shared/protocols/index';
import { fixtureProtocols, loadFixtures } from '../../support/fixtures';

const catalog = fieldCatalog();
const typeOf = new Map(catalog.map((e) => [e.abbrev, e.type]));

/** A literal that spells `value` for field `name` the way a user would write it. */
function literal(name: string, value: FieldValue): string {
  const type = typeOf.get(name);
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  // 64-bit integers, and JSON numbers beyond 2^53 (N6), are decimal text compared as BigInt.
  if (type === 'u64' || type === 'i64' || type === 'number') return value;
  if (type === 'bytes') return value === '' ? '""' : value; // bare hex
  return JSON.stringify(value); // quoted text, JSON escapes are filter escapes
}

describe('filters over the real protocol catalogs', () => {
  it('knows every protocol id and every catalog name', () => {
    expect(suggestCompletions('', 0, catalog).items.filter((i) => !i.label.includes('.') && i.kind === 'field').map((i) => i.label))
      .toEqual(PROTOCOLS.map((p) => p.id));
    for (const e of catalog) {
      const r = compileFilter(e.abbrev, catalog);
      if (e.abbrev.endsWith('.')) {
        expect(r.ok, e.abbrev).toBe(false); // a base names nothing by itself …
        expect(compileFilter(`${e.abbrev}some_member`, catalog).ok, e.abbrev).toBe(true); // … its members do
      } else {
        expect(r.ok, `${e.abbrev}: ${r.ok ? '' : r.error.message}`).toBe(true);
      }
    }
  });

  it('compiles every offered value name of every enum and finds the value it names', () => {
    let checked = 0;
    for (const e of catalog.filter((x) => x.enum)) {
      for (const item of suggestCompletions(`${e.abbrev} == `, e.abbrev.length + 4, catalog).items) {
        const r = compileFilter(`${e.abbrev} == ${item.label}`, catalog);
        if (!r.ok) throw new Error(`${e.abbrev} == ${item.label}: ${r.error.message}`);
        // Which wire value the name stands for, typed as the decoder would hand it over.
        const key = Object.entries(e.enum!).find(([k, name]) => JSON.stringify(name) === item.label || name === item.label || k === item.label.replace(/^"|"$/g, ''))![0];
        const value: FieldValue = /^[ui]\d+$|^number$/.test(e.type) ? Number(key) : key;
        expect(r.filter.test((n) => (n === e.abbrev ? value : undefined)), `${e.abbrev} == ${item.label}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe.each(fixtureProtocols().filter((p) => getProtocol(p)))('filters over decoded %s fixtures', (id) => {
  const protocol = getProtocol(id)!;
  it.each(loadFixtures(id).map((f) => [f.file, f] as const))('%s: every field is found by its own value', (_file, fx) => {
    const frame = protocol.decode(fx.bytes, fx.direction, { variant: fx.variant, charset: fx.charset, context: fx.context });
    const fields: Record<string, FieldValue | FieldValue[]> = {
      ...flattenFields(frame.tree), 'fs.protocol': id, 'fs.message': frame.message, 'fs.direction': frame.direction, 'fs.malformed': frame.malformed,
    };
    const lookup = (name: string): FieldValue | FieldValue[] | undefined => fields[name];
    const must = (text: string, want = true): void => {
      const r = compileFilter(text, catalog);
      if (!r.ok) throw new Error(`${text}: ${r.error.message} (column ${r.error.column})`);
      expect(r.filter.test(lookup), text).toBe(want);
    };
    must(id);
    must(`fs.message == ${JSON.stringify(frame.message)} && fs.direction == ${frame.direction}`);
    must(`fs.malformed == ${frame.malformed}`);
    for (const [name, v] of Object.entries(fields)) {
      if (name.startsWith('fs.')) continue;
      // A bare boolean reads "present and true"; any other bare name, "present".
      must(name, typeOf.get(name) !== 'boolean' || (Array.isArray(v) ? v : [v]).includes(true));
      for (const one of Array.isArray(v) ? v : [v]) {
        must(`${name} == ${literal(name, one)}`);
        must(`${name} != ${literal(name, one)}`, false);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../shared/codec/bytes';
import {
  bytes, catalogOf, decodeElements, encodeElements, EncodeError, int, mark, repeat, restBytes, schemaOf, str,
  templateOf, when, switchOn, generated,
} from '../../../shared/codec/schema';
import { flattenFields } from '../../../shared/codec/tree';

// A small made-up protocol exercising every element: LE and BE ints, a size, strings, a repeat, a condition.
const header = [
  int('magic', 'u2be', { expect: 0xcafe }),
  int('size', 'u4le', { sizeOf: { from: 'size:after', to: '@end' } }),
  int('id', 'u8be'),
  int('kind', 'u1', { enum: { 1: 'Hello', 2: 'Bye' } }),
];
const body = [
  str('name', 'u2le'),
  int('result', 's4be'),
  when((d) => d.result === 0, [bytes('blob', 'u1')]),
  repeat('item', 'item_cnt', 'u2be', [str('label', 'u1'), int('weight', 'u2be')]),
  switchOn((d) => d.kind as number, { 2: [restBytes('tail')] }),
  generated('name_upper', (d) => ({ value: String(d.name).toUpperCase() }), { type: 'string' }),
];
const all = [...header, mark('body'), ...body];
const opts = { prefix: 't' };

const sample = fromHex(
  'cafe' + '20000000' + '0000000000000102' + '01' + // magic, size=32, id=258, kind=1
  '0300616263' + '00000000' + '02ffee' + // name "abc", result 0, blob ffee
  '0002' + '0178' + '0005' + '027979' + '0006', // 2 items: ("x",5) ("yy",6)
);

describe('schema elements', () => {
  it('decodes every element with values, names and byte ranges', () => {
    const r = decodeElements(all, sample, opts);
    expect(r.failed).toBe(false);
    expect(r.notes).toEqual([]);
    expect(r.consumed).toBe(sample.length);
    expect(flattenFields(r.tree)).toEqual({
      't.magic': 0xcafe, 't.size': 32, 't.id': '258', 't.kind': 1,
      't.name_len': 3, 't.name': 'abc', 't.result': 0, 't.blob_len': 2, 't.blob': 'ffee',
      't.item_cnt': 2, 't.label_len': [1, 2], 't.label': ['x', 'yy'], 't.weight': [5, 6], 't.name_upper': 'ABC',
    });
    expect(r.doc).toEqual({ magic: 0xcafe, id: '258', kind: 1, name: 'abc', result: 0, blob: 'ffee', item: [{ label: 'x', weight: 5 }, { label: 'yy', weight: 6 }] });
    const kind = r.tree.find((n) => n.abbrev === 't.kind')!;
    expect(kind).toMatchObject({ start: 14, length: 1, display: '1 (Hello)' });
    const item1 = r.tree.find((n) => n.label === 'item[1]')!;
    expect(item1).toMatchObject({ start: 33, length: 5 });
    expect(item1.abbrev).toBeUndefined();
  });

  it('encodes the document back to the same bytes, computing sizes, lengths and counts', () => {
    const r = decodeElements(all, sample, opts);
    expect(toHex(encodeElements(all, r.doc, opts))).toBe(toHex(sample));
  });

  it('keeps a wrong size from the wire in the document, with a warn note, so the bytes round-trip', () => {
    const bad = sample.slice();
    bad[2] = 99;
    const r = decodeElements(all, bad, opts);
    expect(r.doc.size).toBe(99);
    expect(r.notes).toEqual([{ severity: 'warn', message: 'size is 99, but the bytes give 32' }]);
    expect(toHex(encodeElements(all, r.doc, opts))).toBe(toHex(bad));
  });

  it('lets a document override derived values to send deliberately broken frames', () => {
    const r = decodeElements(all, sample, opts);
    const broken = encodeElements(all, { ...r.doc, name_len: 9, item_cnt: 7 }, opts);
    expect(toHex(broken).slice(30, 36)).toBe('090061'); // name_len 9 instead of 3
    expect(decodeElements(all, broken, opts).failed).toBe(true);
  });

  it('skips conditional elements when the condition is false, on both sides', () => {
    const doc = { magic: 0xcafe, id: '1', kind: 1, name: '', result: 5, blob: 'ff', item: [] };
    const b = encodeElements(all, doc, opts);
    const back = decodeElements(all, b, opts);
    expect(back.doc.blob).toBeUndefined();
    expect(back.consumed).toBe(b.length);
  });

  it('warns on an unexpected constant but still decodes', () => {
    const bad = sample.slice();
    bad[0] = 0;
    const r = decodeElements(all, bad, opts);
    expect(r.failed).toBe(false);
    expect(r.notes[0]).toEqual({ severity: 'warn', message: 'magic is 254, expected 51966' });
  });

  it('returns a partial tree with an error note on every truncation, never throwing', () => {
    for (let n = 0; n < sample.length; n++) {
      const r = decodeElements(all, sample.subarray(0, n), opts);
      expect(r.failed).toBe(true);
      expect(r.notes.some((x) => x.severity === 'error' && x.message.startsWith('truncated'))).toBe(true);
    }
  });

  it('does not loop on a huge count with no bytes behind it', () => {
    const b = fromHex('cafe' + '00000000' + '0000000000000001' + '01' + '0000' + '00000001' + 'ffff');
    const r = decodeElements(all, b, opts);
    expect(r.failed).toBe(true);
  });

  it('names the field at fault when a document is wrong', () => {
    expect(() => encodeElements(all, { id: 'x' }, opts)).toThrow(new EncodeError('t.id: expected an integer, got "x"'));
    expect(() => encodeElements(all, { kind: 300 }, opts)).toThrow(/t.kind: 300 does not fit in u8/);
    expect(() => encodeElements(all, { blob: 'zz', result: 0 }, opts)).toThrow(/t.blob: not a hex digit/);
    expect(() => encodeElements(all, { item: 'no' }, opts)).toThrow(/t.item: expected an array/);
  });

  it('derives a catalog, a JSON Schema and a template from the same declaration', () => {
    const cat = catalogOf(all, 't');
    expect(cat.map((c) => c.abbrev)).toEqual(['t.magic', 't.size', 't.id', 't.kind', 't.name_len', 't.name', 't.result', 't.blob_len', 't.blob', 't.item_cnt', 't.label_len', 't.label', 't.weight', 't.tail', 't.name_upper']);
    expect(cat.find((c) => c.abbrev === 't.kind')!.enum).toEqual({ 1: 'Hello', 2: 'Bye' });
    expect(cat.find((c) => c.abbrev === 't.id')!.type).toBe('u64');
    const schema = schemaOf(all);
    expect(schema.properties!.item.type).toBe('array');
    expect(schema.properties!.id.pattern).toBe('^\\d+$');
    const template = templateOf(all);
    expect(template).toMatchObject({ magic: 0xcafe, id: '0', kind: 0, name: '', result: 0 });
    const encoded = encodeElements(all, template, opts);
    expect(decodeElements(all, encoded, opts).failed).toBe(false);
  });
});

/** The compact Java serialization subset (PROTOCOLS.md §4.2), on hand-written streams. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../shared/codec/bytes';
import {
  BASE_HANDLE, BYTE_ARRAY_CLASS, JavaStreamWriter, decodeJavaStream, decodeModifiedUtf8, deref, encodeModifiedUtf8,
  modifiedUtf8Length, wireOrder, type JavaArray, type JavaObject, type JavaClassTable,
} from '../../../shared/codec/java-serialization';
import { EncodeError } from '../../../shared/codec/schema';
import { flattenFields, walkTree, type FieldNode } from '../../../shared/codec/tree';
import { rangeViolations } from '../../support/fixtures';

const hex = (s: string): Uint8Array => fromHex(s.replace(/#.*$/gm, ''));
const ascii = (s: string): string => toHex(new TextEncoder().encode(s));
const u16 = (n: number): string => n.toString(16).padStart(4, '0');

describe('modified UTF-8', () => {
  it('writes U+0000 as c0 80 and supplementary characters as two 3-byte surrogates', () => {
    expect(toHex(encodeModifiedUtf8('a\u0000b'))).toBe('61c08062');
    expect(toHex(encodeModifiedUtf8('é'))).toBe('c3a9');
    expect(toHex(encodeModifiedUtf8('中'))).toBe('e4b8ad');
    // U+1F600 = surrogates d83d de00, each written as a 3-byte sequence (6 bytes, not UTF-8's 4).
    expect(toHex(encodeModifiedUtf8('\u{1F600}'))).toBe('eda0bdedb880');
    expect(modifiedUtf8Length('a\u0000\u{1F600}')).toBe(9);
  });

  it('decodes what it writes, including long strings', () => {
    for (const text of ['', 'plain ascii', 'a\u0000b', 'é中\u{1F600}', 'x'.repeat(70000), `${'é'.repeat(5000)}z`]) {
      const b = encodeModifiedUtf8(text);
      expect(decodeModifiedUtf8(b, 0, b.length)).toEqual({ text, valid: true });
    }
  });

  it('flags malformed input and replaces it with U+FFFD', () => {
    const b = fromHex('61ff62e4b8');
    expect(decodeModifiedUtf8(b, 0, b.length)).toEqual({ text: 'a\ufffdb\ufffd\ufffd', valid: false });
  });
});

describe('wireOrder', () => {
  it('puts primitives first, then objects, each sorted by name (ObjectStreamField.compareTo)', () => {
    const order = wireOrder([
      { name: 'remoteKey', type: 'L' }, { name: 'z', type: 'I' }, { name: 'key', type: 'L' }, { name: 'a', type: 'J' }, { name: 'msg', type: 'L' },
    ]).map((f) => f.name);
    expect(order).toEqual(['a', 'z', 'key', 'msg', 'remoteKey']);
  });
});

// A fat descriptor with a primitive, a String and an array field; the array's elements reference earlier strings.
const POINT_STREAM = [
  '05',
  '73',
  `72 00 ${u16(5)} ${ascii('Point')} 0102030405060708 02 0003   # [h0] fat Point, uid, SC_SERIALIZABLE, 3 fields`,
  `49 ${u16(1)} ${ascii('x')}   # int x`,
  `4c ${u16(4)} ${ascii('name')} 74 ${u16(18)} ${ascii('Ljava/lang/String;')}   # [h1] signature`,
  `5b ${u16(4)} ${ascii('tags')} 74 ${u16(19)} ${ascii('[Ljava/lang/String;')}   # [h2] signature`,
  '78 70',
  '# [h3] the object: x, then name, tags',
  '00 00 00 2a',
  `74 ${u16(3)} ${ascii('abc')}   # [h4]`,
  `75 72 00 ${u16(19)} ${ascii('[Ljava.lang.String;')} add256e7e91d7b47 02 0000 78 70   # [h5] desc, [h6] array`,
  '00 00 00 03 71 00 7e 00 04 70 71 00 7e 00 01   # ref "abc", null, ref to the signature string',
].join('\n');

describe('decodeJavaStream', () => {
  it('decodes fat descriptors with field lists, primitives, strings, object arrays and references', () => {
    const bytes = hex(POINT_STREAM);
    const res = decodeJavaStream(bytes, { prefix: 'p', classes: {} });
    expect(res.notes).toEqual([]);
    expect(res.failed).toBe(false);
    expect(res.end).toBe(bytes.length);
    const obj = res.content as JavaObject;
    expect(obj.kind).toBe('object');
    expect(obj.handle).toBe(BASE_HANDLE + 3);
    expect(obj.desc).toMatchObject({ name: 'Point', form: 'fat', serialVersionUID: '72623859790382856', flags: 2, handle: BASE_HANDLE });
    expect(obj.desc.fields).toEqual([
      { name: 'x', type: 'I' },
      { name: 'name', type: 'L', signature: 'Ljava/lang/String;' },
      { name: 'tags', type: '[', signature: '[Ljava/lang/String;' },
    ]);
    expect(obj.values.x).toBe(42);
    expect(deref(obj.values.name)).toMatchObject({ kind: 'string', text: 'abc', handle: BASE_HANDLE + 4 });
    const tags = obj.values.tags as JavaArray;
    expect(tags.handle).toBe(BASE_HANDLE + 6);
    expect(tags.desc.handle).toBe(BASE_HANDLE + 5);
    expect(tags.elements!.map((e) => { const t = deref(e); return t && typeof t === 'object' && t.kind === 'string' ? t.text : t; }))
      .toEqual(['abc', null, 'Ljava/lang/String;']);
    expect(res.handles.map((h) => h.kind)).toEqual(['class', 'string', 'string', 'object', 'string', 'class', 'array']);
    expect(flattenFields(res.nodes)).toEqual({
      'p.stream_version': 5,
      'p.class_name': ['Point', '[Ljava.lang.String;'],
      'p.x': 42,
      'p.name_len': 3,
      'p.name': 'abc',
      'p.tags_len': 3,
    });
    expect(rangeViolations(res.nodes)).toEqual([]);
  });

  it('resolves thin descriptors from the caller\'s table and descriptor references', () => {
    const classes: JavaClassTable = { P: { fields: [{ name: 'v', type: 'I' }] } };
    const bytes = hex([
      `05 75 72 00 ${u16(19)} ${ascii('[Ljava.lang.Object;')} 90ce589f1073296c 02 0000 78 70   # [h0] desc, [h1] array`,
      '00 00 00 02',
      `73 72 01 ${u16(1)} ${ascii('P')} 78 70 00 00 00 01   # [h2] thin P, [h3] object, v = 1`,
      '73 71 00 7e 00 02 00 00 00 02   # the descriptor by reference, [h4] object, v = 2',
    ].join('\n'));
    const res = decodeJavaStream(bytes, { prefix: 'p', classes });
    expect(res.notes).toEqual([]);
    const arr = res.content as JavaArray;
    const [a, b] = arr.elements as JavaObject[];
    expect([a.handle - BASE_HANDLE, b.handle - BASE_HANDLE]).toEqual([3, 4]);
    expect(a.desc).toBe(b.desc);
    expect([a.values.v, b.values.v]).toEqual([1, 2]);
  });

  it('decodes TC_LONGSTRING and byte arrays', () => {
    const text = 'x'.repeat(70000);
    const w = new JavaStreamWriter();
    w.streamHeader();
    w.writeString(text);
    const long = w.finish();
    expect(toHex(long.subarray(0, 10))).toBe('057c0000000000011170');
    const res = decodeJavaStream(long, { prefix: 'p', classes: {} });
    expect(res.notes).toEqual([]);
    expect(deref(res.content)).toMatchObject({ kind: 'string', long: true, text });

    const w2 = new JavaStreamWriter();
    w2.streamHeader();
    w2.writeByteArray(Uint8Array.of(1, 2, 3));
    const arr = decodeJavaStream(w2.finish(), { prefix: 'p', classes: {} }).content as JavaArray;
    expect(toHex(arr.bytes!)).toBe('010203');
    expect(arr.dataStart).toBe(1 + 1 + 19 + 4);
  });

  const unsupported: Array<[string, string]> = [
    ['76', 'TC_CLASS'], ['77', 'TC_BLOCKDATA'], ['79', 'TC_RESET'], ['7a', 'TC_BLOCKDATALONG'],
    ['7b', 'TC_EXCEPTION'], ['7d', 'TC_PROXYCLASSDESC'], ['7e', 'TC_ENUM'], ['00', 'not a type code'],
  ];
  it.each(unsupported)('stops at type code %s (%s) with an error note and the rest raw', (code, name) => {
    // An Object[] whose second element carries the code.
    const b = hex(`05 75 72 00 ${u16(19)} ${ascii('[Ljava.lang.Object;')} 90ce589f1073296c 02 0000 78 70 00000002 74 0001 61 ${code} 01 02 03`);
    const res = decodeJavaStream(b, { prefix: 'p', classes: {} });
    expect(res.failed).toBe(true);
    expect(res.notes).toHaveLength(1);
    expect(res.notes[0].severity).toBe('error');
    expect(res.notes[0].message).toContain(name);
    const rest = res.nodes[res.nodes.length - 1];
    expect(rest.label).toBe('not decoded');
    expect(rest.value).toBe(`${code}010203`);
    expect(rest.start + rest.length).toBe(b.length);
    expect(rangeViolations(res.nodes)).toEqual([]);
  });

  it('reports unknown classes, bad references and truncation without throwing', () => {
    const unknownClass = decodeJavaStream(hex(`05 73 72 01 ${u16(1)} ${ascii('Q')} 78 70 00`), { prefix: 'p', classes: {} });
    expect(unknownClass.notes[0].message).toContain('class Q is not known');
    const badRef = decodeJavaStream(hex('05 71 00 7e 00 05'), { prefix: 'p', classes: {} });
    expect(badRef.notes[0].message).toContain('0x7e0005');
    const stringAsDescriptor = decodeJavaStream(hex(`05 75 72 00 ${u16(19)} ${ascii('[Ljava.lang.Object;')} 90ce589f1073296c 02 0000 78 70 00000002 74 0001 61 73 71 00 7e 00 02`), { prefix: 'p', classes: {} });
    expect(stringAsDescriptor.notes[0].message).toContain('class descriptor position points to a string');
    const full = hex(POINT_STREAM);
    for (let n = 0; n < full.length; n++) {
      const res = decodeJavaStream(full.subarray(0, n), { prefix: 'p', classes: {} });
      expect(res.failed, `prefix ${n}`).toBe(true);
      expect(res.notes.some((x) => x.severity === 'error')).toBe(true);
      expect(rangeViolations(res.nodes)).toEqual([]);
    }
  });

  it('rejects a value its field cannot hold (ClassCastException in Java)', () => {
    const classes: JavaClassTable = { S: { fields: [{ name: 's', type: 'L', signature: 'Ljava/lang/String;' }] } };
    const res = decodeJavaStream(hex(`05 73 72 01 ${u16(1)} ${ascii('S')} 78 70 71 00 7e 00 00`), { prefix: 'p', classes });
    expect(res.failed).toBe(true);
    expect(res.notes[0].message).toContain('cannot hold class descriptor S');
  });

  it('bounds a bogus array count or long-string length by the bytes present', () => {
    const huge = decodeJavaStream(hex(`05 75 72 00 ${u16(19)} ${ascii('[Ljava.lang.Object;')} 90ce589f1073296c 02 0000 78 70 7fffffff 70`), { prefix: 'p', classes: {} });
    expect(huge.notes[0].message).toContain('truncated');
    const longString = decodeJavaStream(hex('05 7c ffffffffffffffff 61'), { prefix: 'p', classes: {} });
    expect(longString.notes[0].message).toContain('truncated');
    const negative = decodeJavaStream(hex('05 75 72 00 0002 5b42 acf317f8060854e0 02 0000 78 70 ffffffff'), { prefix: 'p', classes: {} });
    expect(negative.notes[0].message).toContain('negative array length');
  });
});

describe('JavaStreamWriter', () => {
  it('writes the fat [B descriptor of §4.2 and assigns handles in the decoder\'s order', () => {
    const w = new JavaStreamWriter();
    w.streamHeader();
    const obj = w.beginObject({ name: 'A', superclass: { name: 'B' } });
    expect(obj).toBe(BASE_HANDLE + 2);
    expect(w.writeString('k')).toBe(BASE_HANDLE + 3);
    expect(w.writeByteArray(Uint8Array.of(9))).toBe(BASE_HANDLE + 5);
    w.writeReference(BASE_HANDLE + 3, 'x');
    const bytes = w.finish();
    expect(toHex(bytes)).toBe(`0573720100014178720100014278707400016b${'7572000002' + '5b42acf317f8060854e0020000' + '7870'}0000000109710${'07e0003'}`);
    const res = decodeJavaStream(bytes, { prefix: 'p', classes: { A: { fields: [] }, B: { fields: [{ name: 'c', type: 'L' }, { name: 'b', type: '[' }, { name: 'a', type: 'L' }] } } });
    expect(res.notes).toEqual([]);
    expect(res.handles.length).toBe(6);
    expect(BYTE_ARRAY_CLASS.form).toBe('fat');
  });

  it('writes TC_LONGSTRING only above 65535 bytes (or when asked)', () => {
    const at = (text: string, long?: boolean): string => { const w = new JavaStreamWriter(); w.writeString(text, long); return toHex(w.finish().subarray(0, 1)); };
    expect(at('x'.repeat(65535))).toBe('74');
    expect(at('x'.repeat(65536))).toBe('7c');
    expect(at('x', true)).toBe('7c');
  });

  it('refuses a reference to a handle not written yet', () => {
    const w = new JavaStreamWriter();
    w.writeString('a');
    expect(() => w.writeReference(BASE_HANDLE + 1, 'f')).toThrow(EncodeError);
    expect(() => w.writeReference(5, 'f')).toThrow(/f: reference to handle/);
    expect(w.writeReference(BASE_HANDLE, 'f')).toEqual({ kind: 'string', text: 'a' });
  });

  it('writes fat descriptors with field entries that decode back', () => {
    const w = new JavaStreamWriter();
    w.streamHeader();
    w.beginObject({ name: 'Point', form: 'fat', serialVersionUID: 0x0102030405060708n, fields: [{ name: 'x', type: 'I' }, { name: 'name', type: 'L', signature: 'Ljava/lang/String;' }] });
    w.w.u32(7);
    w.writeString('n');
    const res = decodeJavaStream(w.finish(), { prefix: 'p', classes: {} });
    expect(res.notes).toEqual([]);
    const obj = res.content as JavaObject;
    expect(obj.values.x).toBe(7);
    expect(deref(obj.values.name)).toMatchObject({ text: 'n' });
    const names: string[] = [];
    for (const [node] of walkTree(res.nodes as FieldNode[])) if (node.abbrev === 'p.class_name') names.push(String(node.value));
    expect(names).toEqual(['Point']);
  });
});

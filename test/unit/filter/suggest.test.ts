import { describe, expect, it } from 'vitest';
import { catalogOf, int, str, bytes, type CatalogEntry } from '../../../shared/codec/schema';
import { BUILTIN_FIELDS, compileFilter, suggestCompletions, type Completions } from '../../../shared/filter/index';

const catalog: CatalogEntry[] = [
  ...catalogOf([
    int('length', 'u4le'),
    int('protocol', 'u4le', { enum: { 1002: 'ShakeHand', 1003: 'ShakeHandResponse', 1006: 'ExecuteJob', 1013: 'Heartbeat Response' } }),
    str('appCode', 'u2le'),
  ], 'flyer'),
  ...catalogOf([int('module_id', 'u2be', { enum: { 1: 'LOGIN', 2: 'BUDDY_LIST', 3: 'MSG' } }), bytes('msg_data', 'u4be')], 'tt'),
  { abbrev: 'hodor.body', type: 'bytes', label: 'Body' },
  { abbrev: 'hodor.body.', type: 'json', label: 'body members', dynamic: true },
  { abbrev: 'hodor.body.data.status', type: 'string', label: 'status', enum: { RUNNING: 'RUNNING', SUCCEEDED: 'SUCCEEDED' } },
  { abbrev: 'txlcn.action', type: 'string', label: 'Action', enum: { cg: 'create group', h: 'heartbeat' } },
  { abbrev: 'http.query.device_type', type: 'string', label: 'Device type', enum: { 0: 'all', 5: 'Windows Phone' } },
];

/** Completions at the `‸` in `text`. */
function at(textWithCursor: string): Completions {
  const cursor = textWithCursor.indexOf('‸');
  if (cursor < 0) throw new Error('no cursor mark');
  return suggestCompletions(textWithCursor.replace('‸', ''), cursor, catalog);
}

const labels = (c: Completions): string[] => c.items.map((i) => i.label);

describe('suggestCompletions', () => {
  it('offers protocol ids, built-in fields and "not" at the start', () => {
    const c = at('‸');
    expect(c).toMatchObject({ from: 0, to: 0 });
    expect(labels(c)).toEqual(['flyer', 'tt', 'hodor', 'txlcn', 'http', ...BUILTIN_FIELDS.map((b) => b.name), 'not']);
    expect(c.items[0]).toEqual({ label: 'flyer', detail: 'protocol: the frame is flyer', kind: 'field' });
    expect(c.items.find((i) => i.label === 'not')?.kind).toBe('keyword');
  });

  it('completes field names by prefix, a protocol\'s fields once its dot is typed', () => {
    expect(labels(at('f‸'))).toEqual(['flyer', 'frame.number', 'frame.time_relative', 'frame.len', 'fs.direction', 'fs.malformed', 'fs.response_time', 'fs.protocol', 'fs.message']);
    expect(labels(at('fly‸'))).toEqual(['flyer']);
    expect(at('fly‸')).toMatchObject({ from: 0, to: 3 });
    expect(labels(at('flyer.‸'))).toEqual(['flyer.length', 'flyer.protocol', 'flyer.appCode_len', 'flyer.appCode']);
    expect(labels(at('flyer.AP‸'))).toEqual(['flyer.appCode_len', 'flyer.appCode']);
    expect(labels(at('ip.‸'))).toEqual(['ip.src', 'ip.dst', 'ip.addr']);
    expect(at('flyer.protocol == 1 && tt.m‸')).toMatchObject({ from: 23, to: 27, items: [
      { label: 'tt.module_id', detail: 'u16 · module_id; named values', kind: 'field' },
      { label: 'tt.msg_data_len', detail: 'u32 · msg_data length', kind: 'field' },
      { label: 'tt.msg_data', detail: 'bytes · msg_data', kind: 'field' },
    ] });
    expect(labels(at('hodor.‸'))).toEqual(['hodor.body', 'hodor.body.', 'hodor.body.data.status']);
    expect(at('hodor.body.‸').items[0]).toEqual({ label: 'hodor.body.', detail: 'json · body members: hodor.body.<name>', kind: 'field' });
  });

  it('replaces the whole word when the cursor is inside it', () => {
    expect(at('fl‸yer.protocol == 1')).toMatchObject({ from: 0, to: 14, items: [{ label: 'flyer' }] });
  });

  it('offers fields after "(", "not", "!", "and", "or", "&&", "||"', () => {
    for (const text of ['(‸', 'not ‸', '!‸', 'flyer and ‸', 'flyer or ‸', 'flyer && ‸', 'flyer || ‸', 'not (flyer or ‸']) {
      expect(labels(at(text)), text).toContain('flyer');
    }
  });

  it('offers the operators a field\'s type accepts after it, and and/or', () => {
    const intOps = ['==', '!=', '>', '<', '>=', '<=', 'in', 'and', 'or'];
    expect(labels(at('flyer.length ‸'))).toEqual(intOps);
    expect(labels(at('(flyer.length ‸'))).toEqual(intOps);
    expect(labels(at('flyer.appCode ‸'))).toEqual(['==', '!=', '>', '<', '>=', '<=', 'contains', 'matches', 'in', 'and', 'or']);
    expect(labels(at('fs.malformed ‸'))).toEqual(['==', '!=', 'in', 'and', 'or']);
    expect(labels(at('flyer ‸'))).toEqual(['and', 'or']);
    expect(labels(at('flyer.appCode co‸'))).toEqual(['contains']);
    expect(at('flyer.appCode ‸').items[0]).toEqual({ label: '==', detail: 'equals', kind: 'operator' });
    expect(labels(at('tt.module_id not ‸'))).toEqual(['in']);
    expect(labels(at('tt.module_id in ‸'))).toEqual(['{']);
  });

  it('offers value names after an operator and inside a set', () => {
    expect(at('flyer.protocol == ‸').items).toEqual([
      { label: 'ShakeHand', detail: '1002', kind: 'value' },
      { label: 'ShakeHandResponse', detail: '1003', kind: 'value' },
      { label: 'ExecuteJob', detail: '1006', kind: 'value' },
      { label: '"Heartbeat Response"', detail: '1013', kind: 'value' },
    ]);
    expect(at('flyer.protocol == sha‸')).toMatchObject({ from: 18, to: 21 });
    expect(labels(at('flyer.protocol == sha‸'))).toEqual(['ShakeHand', 'ShakeHandResponse']);
    expect(labels(at('flyer.protocol == Hea‸'))).toEqual(['"Heartbeat Response"']);
    expect(labels(at('flyer.protocol!=‸'))).toHaveLength(4);
    expect(labels(at('tt.module_id in {‸'))).toEqual(['LOGIN', 'BUDDY_LIST', 'MSG']);
    expect(labels(at('tt.module_id in {LOGIN, M‸'))).toEqual(['MSG']);
    expect(labels(at('tt.module_id in {LOGIN..‸'))).toEqual(['LOGIN', 'BUDDY_LIST', 'MSG']);
    expect(at('txlcn.action == ‸').items).toEqual([
      { label: 'cg', detail: 'create group', kind: 'value' },
      { label: 'h', detail: 'heartbeat', kind: 'value' },
    ]);
    expect(at('hodor.body.data.status == ‸').items[0]).toEqual({ label: 'RUNNING', detail: '', kind: 'value' });
    expect(labels(at('http.query.device_type == ‸'))).toEqual(['all', '"Windows Phone"']);
    expect(labels(at('fs.direction == ‸'))).toEqual(['c2s', 's2c']);
    expect(labels(at('fs.protocol == ‸'))).toEqual(['flyer', 'tt', 'hodor', 'txlcn', 'http']);
    expect(labels(at('fs.malformed == ‸'))).toEqual(['true', 'false']);
    expect(labels(at('flyer.length == ‸'))).toEqual([]);
    expect(labels(at('flyer.protocol contains ‸'))).toEqual([]);
  });

  it('offers and/or after a complete test', () => {
    for (const text of ['flyer.length == 5 ‸', 'tt.module_id in {LOGIN} ‸', '(flyer) ‸', 'flyer.appCode == "x" ‸']) {
      expect(labels(at(text)), text).toEqual(['and', 'or']);
    }
    expect(labels(at('flyer.length == 5 a‸'))).toEqual(['and']);
  });

  it('offers nothing inside a string, an operator or after a syntax error', () => {
    expect(labels(at('flyer.appCode == "de‸'))).toEqual([]);
    expect(labels(at('flyer.appCode == "d‸e"'))).toEqual([]);
    expect(labels(at('flyer.length =‸='))).toEqual([]);
    expect(labels(at('flyer.length == 1 2 ‸'))).toEqual([]);
    expect(labels(at('== ‸'))).toEqual([]);
  });

  it('clamps the cursor and never throws on any prefix of a filter', () => {
    expect(suggestCompletions('flyer', 99, catalog)).toMatchObject({ from: 0, to: 5 });
    expect(suggestCompletions('flyer', -3, catalog)).toMatchObject({ from: 0, to: 0 });
    const text = 'not (flyer.protocol in {ShakeHand, 1003..1006} || tt.msg_data contains "a\\"b") && ip.addr == 10.0.0.0/8 #';
    for (let i = 0; i <= text.length; i++) expect(() => suggestCompletions(text.slice(0, i), i, catalog)).not.toThrow();
  });

  it('suggests only labels that compile in that position', () => {
    for (const field of ['flyer.protocol', 'txlcn.action', 'http.query.device_type', 'fs.direction']) {
      for (const item of at(`${field} == ‸`).items) expect(compileFilter(`${field} == ${item.label}`, catalog).ok, item.label).toBe(true);
    }
    for (const item of at('flyer.appCode ‸').items.filter((i) => i.kind === 'operator')) {
      const value = item.label === 'in' ? '{"x"}' : '"x"';
      expect(compileFilter(`flyer.appCode ${item.label} ${value}`, catalog).ok, item.label).toBe(true);
    }
    for (const item of at('‸').items.filter((i) => i.kind === 'field')) {
      expect(compileFilter(item.label, catalog).ok, item.label).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../shared/codec/bytes';
import { catalogOf, decodeElements, int, repeat, str, bytes, type CatalogEntry } from '../../../shared/codec/schema';
import { flattenFields, type FieldValue } from '../../../shared/codec/tree';
import { compileFilter, type CompiledFilter } from '../../../shared/filter/index';

// The catalog comes from real schema elements (the path protocols use), plus hand-written entries in the forms the
// protocols declare them: dynamic bases (`hodor.body.` JSON, `http.header.` text), a string enum, a boolean, a
// plain number, a value-less field.
const flyerHeader = [
  int('start', 'u2le'),
  int('length', 'u4le'),
  int('protocol', 'u4le', { enum: { 1000: 'PullTopology', 1002: 'ShakeHand', 1003: 'ShakeHandResponse', 1006: 'ExecuteJob', 1013: 'Heartbeat Response' } }),
  int('version', 'u2le'),
  int('packet_id', 'u8le'),
];
const flyerBody = [str('appCode', 'u2le'), str('vhost', 'u2le'), int('req', 'u1')];
const ttElements = [
  int('length', 'u4be'),
  int('module_id', 'u2be', { enum: { 1: 'LOGIN', 2: 'BUDDY_LIST', 3: 'MSG', 7: 'OTHER' } }),
  int('command_id', 'u2be'),
  int('result', 's4be'),
  int('session_id', 's8be'),
  // Two values under one name: `==` matches either.
  int('status', 'u1', { enum: { 0: 'OK', 1: 'Busy', 2: 'Busy' } }),
  repeat('friend', 'friend_cnt', 'u4be', [str('user_id_url', 'u4be')]),
  bytes('msg_data', 'u4be'),
];
const catalog: CatalogEntry[] = [
  ...catalogOf([...flyerHeader, ...flyerBody], 'flyer'),
  ...catalogOf(ttElements, 'tt'),
  { abbrev: 'hodor.body', type: 'bytes', label: 'Body' },
  { abbrev: 'hodor.body.', type: 'json', label: 'body members', dynamic: true },
  { abbrev: 'hodor.body.code', type: 'i32', label: 'code' },
  { abbrev: 'http.header.', type: 'string', label: 'Header', dynamic: true },
  { abbrev: 'http.header.content-length', type: 'string', label: 'Content-Length' },
  // The other accepted form: a field that is also the base of JSON members.
  { abbrev: 'push.identify', type: 'string', label: 'IDENTIFY JSON', dynamic: true },
  { abbrev: 'txlcn.action', type: 'string', label: 'Action', enum: { cg: 'create group', atg: 'join group', h: 'heartbeat' } },
  { abbrev: 'hodor.magic', type: 'number', label: 'Magic' },
  { abbrev: 'hodor.flags.ok', type: 'boolean', label: 'OK' },
  { abbrev: 'hodor.marker', type: 'none', label: 'Marker' },
];

type Fields = Record<string, FieldValue | FieldValue[]>;

function compile(text: string): CompiledFilter {
  const r = compileFilter(text, catalog);
  if (!r.ok) throw new Error(`${text}: ${r.error.message} at ${r.error.column}`);
  return r.filter;
}

/** Runs a filter over a frame given as its flattened fields, recording every name the lookup is asked for. */
function run(text: string, fields: Fields): boolean {
  const f = compile(text);
  const asked = new Set<string>();
  const result = f.test((name) => { asked.add(name); return fields[name]; });
  // The filter may skip reads (short-circuit) but must never read a name it did not declare.
  for (const name of asked) expect(f.fields).toContain(name);
  return result;
}

function error(text: string): { message: string; column: number; length: number } {
  const r = compileFilter(text, catalog);
  if (r.ok) throw new Error(`${text}: compiled, expected an error`);
  return r.error;
}

const flyerFrame: Fields = {
  'fs.protocol': 'flyer', 'fs.message': 'ShakeHand', 'fs.direction': 'c2s', 'fs.malformed': false,
  'frame.number': 3, 'frame.len': 29, 'frame.time_relative': 0.125, 'fs.response_time': 0.0042,
  'ip.src': '10.1.2.3', 'ip.dst': '192.168.7.9', 'tcp.srcport': 51000, 'tcp.dstport': 20180, 'tcp.stream': 2,
  'flyer.start': 1, 'flyer.length': 9, 'flyer.protocol': 1002, 'flyer.version': 1, 'flyer.packet_id': '0',
  'flyer.appCode_len': 4, 'flyer.appCode': 'demo', 'flyer.vhost_len': 0, 'flyer.vhost': '', 'flyer.req': 0,
};

describe('compileFilter: basics', () => {
  it('matches everything with an empty or blank filter and reads nothing', () => {
    for (const text of ['', '   ', '\t\n']) {
      const f = compile(text);
      expect(f.test(() => undefined)).toBe(true);
      expect(f.fields).toEqual([]);
    }
  });

  it('compares integers with every operator and its word form', () => {
    const cases: [string, boolean][] = [
      ['flyer.length == 9', true], ['flyer.length eq 9', true], ['flyer.length == 8', false],
      ['flyer.length != 9', false], ['flyer.length ne 8', true],
      ['flyer.length > 8', true], ['flyer.length gt 9', false],
      ['flyer.length < 10', true], ['flyer.length lt 9', false],
      ['flyer.length >= 9', true], ['flyer.length ge 10', false],
      ['flyer.length <= 9', true], ['flyer.length le 8', false],
      ['flyer.length==9', true], ['flyer.length>=9&&flyer.length<=9', true],
    ];
    for (const [text, want] of cases) expect(run(text, flyerFrame), text).toBe(want);
  });

  it('reads decimal, hex, binary and negative integer literals', () => {
    expect(run('tt.command_id == 0x1f', { 'tt.command_id': 31 })).toBe(true);
    expect(run('tt.command_id == 0X1F', { 'tt.command_id': 31 })).toBe(true);
    expect(run('tt.command_id == 0b101', { 'tt.command_id': 5 })).toBe(true);
    expect(run('tt.command_id == 010', { 'tt.command_id': 10 })).toBe(true); // decimal, not octal
    expect(run('tt.result == -5', { 'tt.result': -5 })).toBe(true);
    expect(run('tt.result < -4', { 'tt.result': -5 })).toBe(true);
    expect(run('tt.result > -0x10', { 'tt.result': -5 })).toBe(true);
  });

  it('compares floats for seconds fields and number-typed fields', () => {
    expect(run('fs.response_time > 0.004', flyerFrame)).toBe(true);
    expect(run('fs.response_time < 4.2e-3', flyerFrame)).toBe(false);
    expect(run('fs.response_time <= 4.2e-3', flyerFrame)).toBe(true);
    expect(run('frame.time_relative == .125', flyerFrame)).toBe(true);
    expect(run('hodor.magic == 0xf666', { 'hodor.magic': 0xf666 })).toBe(true);
    expect(run('hodor.magic > 12344.5', { 'hodor.magic': 12345 })).toBe(true);
  });

  it('compares a number field exactly when a JSON integer beyond 2^53 arrives as text (N6)', () => {
    const big = { 'hodor.magic': '9223372036854775807' };
    expect(run('hodor.magic == 9223372036854775807', big)).toBe(true);
    expect(run('hodor.magic == 9223372036854775806', big)).toBe(false);
    expect(run('hodor.magic > 9223372036854775806', big)).toBe(true);
    expect(run('hodor.magic in {1 9223372036854775807}', big)).toBe(true);
    expect(run('hodor.magic < 2.5', { 'hodor.magic': 2.25 })).toBe(true);
    expect(run('hodor.magic == 2', { 'hodor.magic': 2.25 })).toBe(false);
  });

  it('reads a bare field as presence, a bare protocol id as the frame protocol', () => {
    expect(run('flyer.appCode', flyerFrame)).toBe(true);
    expect(run('tt.friend_cnt', flyerFrame)).toBe(false); // not in this frame
    expect(run('flyer', flyerFrame)).toBe(true);
    expect(run('tt', flyerFrame)).toBe(false);
    expect(run('hodor.marker', { 'hodor.marker': null })).toBe(true); // present, even with a null value
    expect(run('tt.user_id_url', { 'tt.user_id_url': [] })).toBe(false); // no occurrence
    expect(compile('flyer').fields).toEqual(['fs.protocol']);
    expect(run('flyer', { 'fs.protocol': ['tt', 'flyer'] })).toBe(true);
  });

  it('reads a bare boolean field as "present and true"', () => {
    expect(run('fs.malformed', flyerFrame)).toBe(false);
    expect(run('fs.malformed', { ...flyerFrame, 'fs.malformed': true })).toBe(true);
    expect(run('not fs.malformed', flyerFrame)).toBe(true);
    expect(run('hodor.flags.ok', { 'hodor.flags.ok': true })).toBe(true);
  });

  it('compares booleans with true, false, 1 and 0', () => {
    expect(run('fs.malformed == false', flyerFrame)).toBe(true);
    expect(run('fs.malformed == 0', flyerFrame)).toBe(true);
    expect(run('fs.malformed == TRUE', flyerFrame)).toBe(false);
    expect(run('fs.malformed != true', flyerFrame)).toBe(true);
    expect(run('fs.malformed in {true}', { 'fs.malformed': true })).toBe(true);
    // An engine may hand a flag over as 0/1 from a typed array.
    expect(run('fs.malformed', { 'fs.malformed': 1 })).toBe(true);
    expect(run('fs.malformed == false', { 'fs.malformed': 0 })).toBe(true);
  });
});

describe('compileFilter: catalogs', () => {
  it('follows a catalog that changes, whether the array is new or rebuilt with the same entries', () => {
    expect(compileFilter('flyer.length == 1', [...catalog]).ok).toBe(true);
    expect(compileFilter('flyer.extra == 1', [...catalog]).ok).toBe(false);
    const grown = [...catalog, { abbrev: 'flyer.extra', type: 'u8', label: 'extra' } as CatalogEntry];
    expect(compileFilter('flyer.extra == 1', grown).ok).toBe(true);
    expect(compileFilter('flyer.extra == 1', [...grown]).ok).toBe(true);
    expect(compileFilter('flyer.extra == 1', catalog).ok).toBe(false);
    const swapped = catalog.map((e) => (e.abbrev === 'flyer.length' ? { ...e, type: 'string' as const } : e));
    expect(compileFilter('flyer.length == "x"', swapped).ok).toBe(true);
    expect(compileFilter('flyer.length == "x"', catalog).ok).toBe(false);
  });
});

describe('compileFilter: 64-bit integers (decimal strings, compared as BigInt)', () => {
  const big = { 'flyer.packet_id': '9007199254740993', 'tt.session_id': '-9223372036854775808' };

  it('tells apart ids that Number would round together', () => {
    expect(Number('9007199254740993')).toBe(9007199254740992); // what a naive compare would see
    expect(run('flyer.packet_id == 9007199254740993', big)).toBe(true);
    expect(run('flyer.packet_id == 9007199254740992', big)).toBe(false);
    expect(run('flyer.packet_id > 9007199254740992', big)).toBe(true);
    expect(run('flyer.packet_id < 9007199254740994', big)).toBe(true);
    expect(run('flyer.packet_id >= 9007199254740994', big)).toBe(false);
  });

  it('covers the full u64 and i64 ranges, hex literals included', () => {
    expect(run('flyer.packet_id == 0xffffffffffffffff', { 'flyer.packet_id': '18446744073709551615' })).toBe(true);
    expect(run('flyer.packet_id > 18446744073709551614', { 'flyer.packet_id': '18446744073709551615' })).toBe(true);
    expect(run('tt.session_id == -9223372036854775808', big)).toBe(true);
    expect(run('tt.session_id < -9223372036854775807', big)).toBe(true);
    expect(run('tt.session_id > 0', big)).toBe(false);
  });

  it('compares short decimal strings, mixed widths and numbers handed over as numbers', () => {
    expect(run('flyer.packet_id == 0', flyerFrame)).toBe(true);
    expect(run('flyer.packet_id < 9007199254740993', flyerFrame)).toBe(true); // short value, long literal
    expect(run('flyer.packet_id > 5', big)).toBe(true); // long value, short literal
    expect(run('flyer.packet_id == 42', { 'flyer.packet_id': 42 })).toBe(true);
    expect(run('flyer.packet_id in {1 2 9007199254740993}', big)).toBe(true);
    expect(run('flyer.packet_id in {9007199254740990..9007199254740992}', big)).toBe(false);
    expect(run('flyer.packet_id in {9007199254740990..9007199254740993}', big)).toBe(true);
  });

  it('does not match a value that is not a number', () => {
    expect(run('flyer.packet_id == 0', { 'flyer.packet_id': '' })).toBe(false);
    expect(run('flyer.packet_id > 0', { 'flyer.packet_id': 'abc' })).toBe(false);
    expect(run('flyer.packet_id > 0', { 'flyer.packet_id': 'x'.repeat(30) })).toBe(false);
    expect(run('flyer.packet_id == 0', { 'flyer.packet_id': null })).toBe(false);
  });
});

describe('compileFilter: strings', () => {
  const f: Fields = { 'flyer.appCode': 'demo-app', 'fs.message': 'ShakeHandResponse', 'flyer.vhost': 'a "quoted"\n\\path' };

  it('compares, orders, searches and matches', () => {
    expect(run('flyer.appCode == "demo-app"', f)).toBe(true);
    expect(run('flyer.appCode == demo-app', f)).toBe(true); // an unquoted word is text for a string field
    expect(run('flyer.appCode != "demo"', f)).toBe(true);
    expect(run('flyer.appCode > "demo"', f)).toBe(true);
    expect(run('flyer.appCode < "demo"', f)).toBe(false);
    expect(run('flyer.appCode contains "o-a"', f)).toBe(true);
    expect(run('flyer.appCode contains "O-A"', f)).toBe(false);
    expect(run('fs.message matches "Response$"', f)).toBe(true);
    expect(run('fs.message matches "^shake"', f)).toBe(false); // case-sensitive
    expect(run('fs.message matches "(?i)^shake"', f)).toBe(true);
    expect(run('fs.message ~ "Hand"', f)).toBe(true);
    expect(run('fs.message in {Heartbeat "ShakeHandResponse"}', f)).toBe(true);
    expect(run('fs.message in {"a", "b"}', f)).toBe(false);
    expect(run('fs.message in {A..Z}', f)).toBe(true); // "ShakeHandResponse" sorts between "A" and "Z"
  });

  it('resolves escapes in quoted strings and keeps backslashes in raw strings', () => {
    expect(run('flyer.vhost == "a \\"quoted\\"\\n\\\\path"', f)).toBe(true);
    expect(run('flyer.vhost contains "\\x22quoted\\u0022"', f)).toBe(true);
    expect(run('flyer.appCode == "\\u{64}emo-app"', f)).toBe(true);
    expect(run('fs.message matches r"^\\w+Response$"', f)).toBe(true);
    expect(run('fs.message matches r"^\\d"', f)).toBe(false);
    expect(run('flyer.vhost matches r"\\"quoted\\""', f)).toBe(true); // \" does not end a raw string
  });

  it('accepts only the known values of a closed built-in, in any case', () => {
    expect(run('fs.direction == c2s', flyerFrame)).toBe(true);
    expect(run('fs.direction == "S2C"', flyerFrame)).toBe(false);
    expect(run('fs.direction in {s2c C2S}', flyerFrame)).toBe(true);
    expect(error('fs.direction == up')).toMatchObject({ message: '"up" cannot be found among the possible values for fs.direction', column: 16, length: 2 });
  });

  it('compares non-ASCII text and CJK member names', () => {
    expect(run('flyer.appCode == "调度"', { 'flyer.appCode': '调度' })).toBe(true);
    expect(run('hodor.body.任务 == "好"', { 'hodor.body.任务': '好' })).toBe(true);
  });
});

describe('compileFilter: bytes (lowercase hex values)', () => {
  // "ok{" then 0x00 0xab 0xcd: the text and binary sides of a payload.
  const f: Fields = { 'tt.msg_data': '6f6b7b00abcd' };

  it('compares with every byte-string spelling and with "text" as UTF-8', () => {
    for (const lit of ['6f:6b:7b:00:ab:cd', '6f-6b-7b-00-ab-cd', '6f.6b.7b.00.ab.cd', '6f6b7b00abcd', '0x6f6b7b00ABCD', '6f:6b:7b:0:ab:cd']) {
      expect(run(`tt.msg_data == ${lit}`, f), lit).toBe(true);
    }
    expect(run('tt.msg_data == 6f:6b', f)).toBe(false);
    expect(run('tt.msg_data == "ok{\\x00\\u00ab"', { 'tt.msg_data': '6f6b7b00c2ab' })).toBe(true); // U+00AB is c2 ab
  });

  it('finds bytes only on byte boundaries', () => {
    expect(run('tt.msg_data contains ab:cd', f)).toBe(true);
    expect(run('tt.msg_data contains "ok"', f)).toBe(true);
    expect(run('tt.msg_data contains 00ab', f)).toBe(true);
    expect(run('tt.msg_data contains 0a', f)).toBe(false); // "…00ab…" has the digits 0a, but not the byte
    expect(run('tt.msg_data contains b7', f)).toBe(false); // the nibbles of "7b" and "00" straddle a byte
    expect(run('tt.msg_data contains ef', f)).toBe(false);
  });

  it('orders bytes lexicographically and matches their UTF-8 text', () => {
    expect(run('tt.msg_data > 6f:6b', f)).toBe(true);
    expect(run('tt.msg_data < 70', f)).toBe(true);
    expect(run('tt.msg_data matches "^ok\\\\{"', f)).toBe(true);
    expect(run('tt.msg_data matches "^OK"', f)).toBe(false);
  });
});

describe('compileFilter: enums', () => {
  it('resolves value names, case-insensitively when unambiguous, quoted or not', () => {
    expect(run('flyer.protocol == ShakeHand', flyerFrame)).toBe(true);
    expect(run('flyer.protocol == shakehand', flyerFrame)).toBe(true);
    expect(run('flyer.protocol == "ShakeHand"', flyerFrame)).toBe(true);
    expect(run('flyer.protocol == 1002', flyerFrame)).toBe(true);
    expect(run('flyer.protocol != ShakeHandResponse', flyerFrame)).toBe(true);
    expect(run('flyer.protocol == "Heartbeat Response"', { 'flyer.protocol': 1013 })).toBe(true);
    expect(run('tt.module_id == LOGIN', { 'tt.module_id': 1 })).toBe(true);
    expect(run('tt.module_id == MSG', { 'tt.module_id': 1 })).toBe(false);
  });

  it('uses names in sets, ranges and orderings', () => {
    expect(run('tt.module_id in {LOGIN MSG}', { 'tt.module_id': 3 })).toBe(true);
    expect(run('tt.module_id in {BUDDY_LIST..MSG}', { 'tt.module_id': 3 })).toBe(true);
    expect(run('tt.module_id not in {LOGIN, 2}', { 'tt.module_id': 3 })).toBe(true);
    expect(run('tt.module_id > BUDDY_LIST', { 'tt.module_id': 7 })).toBe(true);
  });

  it('matches every value a shared name stands for', () => {
    expect(run('tt.status == Busy', { 'tt.status': 1 })).toBe(true);
    expect(run('tt.status == Busy', { 'tt.status': 2 })).toBe(true);
    expect(run('tt.status == Busy', { 'tt.status': 0 })).toBe(false);
    expect(run('tt.status != Busy', { 'tt.status': 2 })).toBe(false);
  });
});

describe('compileFilter: repeated fields and !=', () => {
  const friends: Fields = { 'tt.friend_cnt': 3, 'tt.user_id_url': ['1001', '1002', '1003'] };

  it('matches when any occurrence matches', () => {
    expect(run('tt.user_id_url == "1002"', friends)).toBe(true);
    expect(run('tt.user_id_url == "1004"', friends)).toBe(false);
    expect(run('tt.user_id_url contains "03"', friends)).toBe(true);
    expect(run('tt.user_id_url in {"0" "1003"}', friends)).toBe(true);
    expect(run('tt.user_id_url > "1002"', friends)).toBe(true);
    expect(run('tt.user_id_url matches "^1001$"', friends)).toBe(true);
  });

  it('reads a != b as !(a == b): false if any occurrence equals, true when absent', () => {
    expect(run('tt.user_id_url != "1002"', friends)).toBe(false);
    expect(run('tt.user_id_url != "1004"', friends)).toBe(true);
    expect(run('tt.user_id_url != "1004"', {})).toBe(true);
    expect(run('tt.user_id_url && tt.user_id_url != "1004"', {})).toBe(false);
    expect(run('!(tt.user_id_url == "1002")', friends)).toBe(run('tt.user_id_url != "1002"', friends));
    expect(run('tt.user_id_url not in {"1001"}', friends)).toBe(false);
  });

  it('reads fields decoded from a real repeat as arrays (N5)', () => {
    const pdu = fromHex(
      '00000020 0002 0003 00000000 0000000000000001 00' + // length, module 2, command 3, result, session_id, status
      '00000002 00000004 31303031 00000004 31303032' + // friend_cnt 2: "1001", "1002"
      '00000002 abcd', // msg_data
    );
    const r = decodeElements(ttElements, pdu, { prefix: 'tt' });
    expect(r.failed).toBe(false);
    const fields = flattenFields(r.tree);
    expect(fields['tt.user_id_url']).toEqual(['1001', '1002']);
    expect(run('tt.user_id_url == "1002" && tt.module_id == BUDDY_LIST && tt.msg_data == ab:cd', fields)).toBe(true);
    expect(run('tt.session_id == 1 and tt.friend_cnt == 2', fields)).toBe(true);
  });
});

describe('compileFilter: sets', () => {
  it('takes values separated by spaces or commas, and inclusive ranges', () => {
    const f = { 'tt.command_id': 5 };
    expect(run('tt.command_id in {1 5 9}', f)).toBe(true);
    expect(run('tt.command_id in {1, 5, 9}', f)).toBe(true);
    expect(run('tt.command_id in {1,9}', f)).toBe(false);
    expect(run('tt.command_id in {1..5}', f)).toBe(true);
    expect(run('tt.command_id in {6..9}', f)).toBe(false);
    expect(run('tt.command_id in {0x1..0x4, 5}', f)).toBe(true);
    expect(run('tt.command_id in {-3..-1 10..20}', { 'tt.command_id': -2 })).toBe(true);
    expect(run('fs.response_time in {0.001..0.005}', flyerFrame)).toBe(true);
    expect(run('tt.command_id not in {1..4}', f)).toBe(true);
    expect(run('tt.command_id in {1, 5,}', f)).toBe(true);
  });
});

describe('compileFilter: precedence and logic', () => {
  const bools = (a: boolean, b: boolean, c: boolean): Fields => ({
    ...(a ? { 'flyer.start': 1 } : {}), ...(b ? { 'flyer.length': 1 } : {}), ...(c ? { 'flyer.version': 1 } : {}),
  });
  const combos = [false, true].flatMap((a) => [false, true].flatMap((b) => [false, true].map((c) => [a, b, c] as const)));

  it('binds not tighter than and, and tighter than or', () => {
    for (const [a, b, c] of combos) {
      const f = bools(a, b, c);
      const want = (!a) || (b && c);
      expect(run('not flyer.start or flyer.length and flyer.version', f), `${a} ${b} ${c}`).toBe(want);
      expect(run('!flyer.start || flyer.length && flyer.version', f)).toBe(want);
      expect(run('NOT flyer.start OR flyer.length AND flyer.version', f)).toBe(want);
      expect(run('flyer.length and flyer.version or not flyer.start', f)).toBe(want);
      expect(run('not (flyer.start or flyer.length) and flyer.version', f)).toBe(!(a || b) && c);
      expect(run('(not flyer.start or flyer.length) and flyer.version', f)).toBe((!a || b) && c);
      expect(run('not not flyer.start', f)).toBe(a);
    }
  });

  it('short-circuits: the right side is not read when the left decides', () => {
    const asked: string[] = [];
    const f = compile('flyer and flyer.length > 5');
    f.test((name) => { asked.push(name); return name === 'fs.protocol' ? 'tt' : undefined; });
    expect(asked).toEqual(['fs.protocol']);
  });

  it('evaluates long generated chains without deep recursion', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `tcp.stream == ${i}`).join(' or ');
    const f = compile(text);
    expect(f.test((n) => (n === 'tcp.stream' ? 4999 : undefined))).toBe(true);
    expect(f.test((n) => (n === 'tcp.stream' ? 5000 : undefined))).toBe(false);
    const all = compile(Array.from({ length: 3000 }, () => 'flyer').join(' && '));
    expect(all.test(() => 'flyer')).toBe(true);
    expect(all.fields).toEqual(['fs.protocol']);
  });
});

describe('compileFilter: addresses and ports', () => {
  it('compares IPv4 addresses and networks on either side with ip.addr', () => {
    expect(run('ip.src == 10.1.2.3', flyerFrame)).toBe(true);
    expect(run('ip.src == "10.1.2.3"', flyerFrame)).toBe(true);
    expect(run('ip.src == 10.1.2.4', flyerFrame)).toBe(false);
    expect(run('ip.addr == 192.168.7.9', flyerFrame)).toBe(true);
    expect(run('ip.addr == 10.0.0.0/8', flyerFrame)).toBe(true);
    expect(run('ip.addr == 10.1.2.255/24', flyerFrame)).toBe(true); // host bits ignored
    expect(run('ip.dst == 10.0.0.0/8', flyerFrame)).toBe(false);
    expect(run('ip.addr == 0.0.0.0/0', flyerFrame)).toBe(true);
    expect(run('ip.addr == 192.168.7.8/31', flyerFrame)).toBe(true);
    expect(run('ip.addr == 192.168.7.8/32', flyerFrame)).toBe(false);
    expect(run('ip.addr in {172.16.0.0/12 192.168.0.0/16}', flyerFrame)).toBe(true);
    expect(run('ip.src in {10.1.2.1..10.1.2.5}', flyerFrame)).toBe(true);
    expect(run('ip.src > 10.1.2.2 and ip.src < 10.1.2.4', flyerFrame)).toBe(true);
    expect(compile('ip.addr == 1.2.3.4').fields).toEqual(['ip.src', 'ip.dst']);
  });

  it('reads ip.addr != x as "neither side is x"', () => {
    expect(run('ip.addr != 10.1.2.3', flyerFrame)).toBe(false);
    expect(run('ip.addr != 10.9.9.9', flyerFrame)).toBe(true);
    expect(run('ip.addr != 10.0.0.0/8', flyerFrame)).toBe(false);
  });

  it('compares IPv6 however it is spelled, and IPv4-mapped peers as IPv4', () => {
    const v6: Fields = { 'ip.src': '2001:db8::1', 'ip.dst': '::ffff:10.0.0.7' };
    expect(run('ip.src == 2001:0db8:0000:0000:0000:0000:0000:0001', v6)).toBe(true);
    expect(run('ip.src == 2001:db8:0:0::1', v6)).toBe(true);
    expect(run('ip.src == 2001:db8::2', v6)).toBe(false);
    expect(run('ip.src == 2001:db8::/32', v6)).toBe(true);
    expect(run('ip.src == 2001:db9::/32', v6)).toBe(false);
    expect(run('ip.src == ::/0', v6)).toBe(true);
    expect(run('ip.src == 0.0.0.0/0', v6)).toBe(false); // an IPv4 network holds no IPv6 address
    expect(run('ip.dst == 10.0.0.7', v6)).toBe(true);
    expect(run('ip.dst == 10.0.0.0/24', v6)).toBe(true);
    expect(run('ip.dst == ::ffff:10.0.0.7', { 'ip.dst': '10.0.0.7' })).toBe(true);
    expect(run('ip.dst == ::ffff:10.0.0.0/120', { 'ip.dst': '10.0.0.7' })).toBe(true);
    expect(run('ip.src == fe80::1', { 'ip.src': 'fe80::1%eth0' })).toBe(true);
    expect(run('ip.src > ::1', v6)).toBe(true);
    expect(run('ip.src == ::1', { 'ip.src': 'not an address' })).toBe(false);
  });

  it('matches tcp.port on either side', () => {
    expect(run('tcp.port == 20180', flyerFrame)).toBe(true);
    expect(run('tcp.port == 51000', flyerFrame)).toBe(true);
    expect(run('tcp.port in {80 443}', flyerFrame)).toBe(false);
    expect(run('tcp.port != 20180', flyerFrame)).toBe(false);
    expect(run('tcp.dstport > 1024 and tcp.stream == 2 and frame.number == 3 and frame.len >= 29', flyerFrame)).toBe(true);
    expect(compile('tcp.port == 1').fields).toEqual(['tcp.srcport', 'tcp.dstport']);
  });
});

describe('compileFilter: JSON members under a dynamic base', () => {
  const f: Fields = {
    'hodor.body': '7b7d', 'hodor.body.data.status': 'RUNNING', 'hodor.body.status_code': 200, 'hodor.body.requestId': '9007199254740993',
    'hodor.body.ok': true, 'hodor.body.data.data': null, 'hodor.body.timeout': 2.5, 'hodor.body.tags': ['a', 'b'],
  };

  it('accepts any name under the base and compares by the literal and the value type', () => {
    expect(run('hodor.body.data.status == RUNNING', f)).toBe(true);
    expect(run('hodor.body.data.status == "RUNNING"', f)).toBe(true);
    expect(run('hodor.body.data.status != SUCCEEDED', f)).toBe(true);
    expect(run('hodor.body.status_code == 200', f)).toBe(true);
    expect(run('hodor.body.status_code >= 0xc8', f)).toBe(true);
    expect(run('hodor.body.status_code == "200"', f)).toBe(true); // a quoted literal compares the value's text
    expect(run('hodor.body.requestId == 9007199254740993', f)).toBe(true);
    expect(run('hodor.body.requestId == 9007199254740992', f)).toBe(false);
    expect(run('hodor.body.ok == true', f)).toBe(true);
    expect(run('hodor.body.ok == false', f)).toBe(false);
    expect(run('hodor.body.data.data == null', f)).toBe(true);
    expect(run('hodor.body.data.data', f)).toBe(true);
    expect(run('hodor.body.timeout > 2', f)).toBe(true);
    expect(run('hodor.body.timeout == 2.5', f)).toBe(true);
    expect(run('hodor.body.data.status contains UNN', f)).toBe(true);
    expect(run('hodor.body.status_code contains 20', f)).toBe(true);
    expect(run('hodor.body.data.status matches "^RUN"', f)).toBe(true);
    expect(run('hodor.body.tags == b', f)).toBe(true);
    expect(run('hodor.body.missing', f)).toBe(false);
    expect(run('hodor.body.data.status > 5', f)).toBe(false); // text is not a number
  });

  it('gives members the type of their base, and catalog entries under a base their own', () => {
    const h: Fields = { 'http.header.x-trace': 'abc-1', 'http.header.content-length': '12', 'hodor.body.code': 0 };
    expect(run('http.header.x-trace == abc-1', h)).toBe(true);
    expect(run('http.header.x-trace contains "c-"', h)).toBe(true);
    expect(run('http.header.content-length == 12', h)).toBe(true); // a string field: the word is text
    expect(run('hodor.body.code == 0', h)).toBe(true);
    expect(error('hodor.body.code == "0"').message).toBe('hodor.body.code (i32) is a number, not a string');
    expect(compile('http.header.x-trace').fields).toEqual(['http.header.x-trace']);
  });

  it('accepts a dynamic field without the trailing dot as a field and as a JSON base', () => {
    const p: Fields = { 'push.identify': '{"client_id":7}', 'push.identify.client_id': 7 };
    expect(run('push.identify contains "client_id"', p)).toBe(true);
    expect(run('push.identify.client_id == 7', p)).toBe(true);
    expect(run('push.identify.client_id == "7"', p)).toBe(true);
  });
});

describe('compileFilter: text enums', () => {
  it('takes the value or its name', () => {
    const t: Fields = { 'txlcn.action': 'atg' };
    expect(run('txlcn.action == atg', t)).toBe(true);
    expect(run('txlcn.action == "join group"', t)).toBe(true);
    expect(run('txlcn.action in {cg "join group"}', t)).toBe(true);
    expect(run('txlcn.action == heartbeat', { 'txlcn.action': 'h' })).toBe(true);
    expect(run('txlcn.action == other', { 'txlcn.action': 'other' })).toBe(true); // text enums are open
  });
});

describe('compileFilter: fields', () => {
  it('lists each name the lookup will be asked for, once', () => {
    const f = compile('flyer and (flyer.length > 1 or flyer.length < 0) and ip.addr == 1.2.3.4 and not tt and hodor.body.a.b');
    expect(f.fields).toEqual(['fs.protocol', 'flyer.length', 'ip.src', 'ip.dst', 'hodor.body.a.b']);
  });
});

describe('compileFilter: real frames', () => {
  it('filters a flyer ShakeHand decoded from the PROTOCOLS.md §1.7 bytes', () => {
    const pdu = fromHex('0100 09000000 ea030000 0100 0000000000000000 0400 64656d6f 0000 00');
    const r = decodeElements([...flyerHeader, ...flyerBody], pdu, { prefix: 'flyer' });
    expect(r.failed).toBe(false);
    const fields: Fields = { ...flattenFields(r.tree), 'fs.protocol': 'flyer', 'fs.message': 'ShakeHand' };
    expect(run('flyer.protocol == ShakeHand && flyer.appCode == "demo" && flyer.packet_id == 0', fields)).toBe(true);
    expect(run('flyer.length == 9 and flyer.vhost == "" and flyer.req == 0', fields)).toBe(true);
    expect(run('flyer.protocol == ExecuteJob or flyer.appCode contains "x"', fields)).toBe(false);
  });
});

describe('compileFilter: errors, located in the text', () => {
  const cases: [text: string, message: string, column: number, length: number][] = [
    ['flyer.nope', '"flyer.nope" is not a valid field', 0, 10],
    ['flyer && flyer.nope == 1', '"flyer.nope" is not a valid field', 9, 10],
    ['flyer.length ==', 'expected a value after "=="', 13, 2],
    ['flyer.length == )', 'expected a value after "==", found ")"', 16, 1],
    ['flyer.length == "abc"', 'flyer.length (u32) is a number, not a string', 16, 5],
    ['flyer.length == abc', '"abc" is not a valid integer for flyer.length (u32)', 16, 3],
    ['flyer.length > 1.5', '"1.5" is not a valid integer for flyer.length (u32)', 15, 3],
    ['flyer.protocol == ShakeHands', '"ShakeHands" cannot be found among the possible values for flyer.protocol', 18, 10],
    ['tt.module_id in {LOGIN NOPE}', '"NOPE" cannot be found among the possible values for tt.module_id', 23, 4],
    ['flyer.length contains 5', '"contains" cannot be used with flyer.length (u32)', 13, 8],
    ['fs.malformed > true', '">" cannot be used with fs.malformed (boolean)', 13, 1],
    ['fs.malformed == yes', '"yes" is not a valid boolean for fs.malformed (use true or false)', 16, 3],
    ['flyer == 1', 'flyer is a protocol and can only be tested for presence', 6, 2],
    ['hodor.marker == 1', 'hodor.marker has no value and can only be tested for presence', 13, 2],
    ['(flyer.length == 1', 'unmatched "("', 0, 1],
    ['flyer.length == 1)', 'unmatched ")"', 17, 1],
    ['flyer tt', 'unexpected "tt" (expected "and", "or" or the end of the filter)', 6, 2],
    ['flyer and', 'expected an expression after "and"', 6, 3],
    ['not', 'expected an expression after "not"', 0, 3],
    ['()', 'expected an expression inside "()"', 0, 2],
    ['== 1', 'expected a field name, found "=="', 0, 2],
    ['flyer.appCode = "x"', 'unexpected character "=" (did you mean "=="?)', 14, 1],
    ['flyer & tt', 'unexpected character "&" (did you mean "&&" or "and"?)', 6, 1],
    ["flyer.appCode == 'x'", 'unexpected character "\'" (strings use double quotes)', 17, 1],
    ['flyer.appCode == "abc', 'unterminated string (missing the closing ")', 17, 4],
    ['fs.message matches "\\d+"', 'invalid escape "\\d" in a string (write "\\\\" for a backslash, or use a raw string r"…" for regular expressions)', 20, 2],
    ['fs.message matches "(a"', 'invalid regular expression: Unterminated group', 19, 4],
    ['fs.message matches "(?x)a"', 'unsupported regular expression flag "x" (i, m and s are)', 19, 7],
    ['tt.msg_data contains hello', '"hello" is not a valid byte string (write ab:cd:ef or abcdef, or "text" in quotes for its UTF-8 bytes)', 21, 5],
    ['tt.msg_data == abc', '"abc" is not a valid byte string (write ab:cd:ef or abcdef, or "text" in quotes for its UTF-8 bytes)', 15, 3],
    ['ip.addr == 10.0.0.256', '"10.0.0.256" is not a valid IP address or network', 11, 10],
    ['ip.addr == 10.0.0.0/33', '"10.0.0.0/33" is not a valid IP address or network', 11, 11],
    ['ip.addr == example.com', '"example.com" is not a valid IP address or network', 11, 11],
    ['ip.addr > 10.0.0.0/8', '"10.0.0.0/8" is a network: compare it with ==, != or in', 10, 10],
    ['tt.command_id in {}', 'expected a value in the set', 17, 2],
    ['tt.command_id in {1 2', 'unmatched "{"', 17, 1],
    ['tt.command_id in 1', 'expected "{" after "in", found "1"', 17, 1],
    ['tt.command_id in {1..}', 'expected a value after "..", found "}"', 21, 1],
    ['tt.command_id in {1,,2}', 'expected a value or "}" in the set, found ","', 20, 1],
    ['fs.malformed in {false..true}', 'a range needs an ordered field; fs.malformed is boolean', 17, 11],
    ['hodor.body. == 1', '"hodor.body." is not a valid field', 0, 11],
    ['http.header.', '"http.header." is not a valid field', 0, 12],
    ['http.header == 1', '"http.header" is not a valid field', 0, 11],
    ['hodor.body.x > true', 'true can only be compared with == and !=', 15, 4],
    ['flyer.appCode == "x" and tt.nope', '"tt.nope" is not a valid field', 25, 7],
    ['  flyer.nope  ', '"flyer.nope" is not a valid field', 2, 10],
    ['fs.message == "é" and x.y', '"x.y" is not a valid field', 22, 3],
  ];

  it.each(cases)('%s', (text, message, column, length) => {
    expect(error(text)).toEqual({ message, column, length });
  });

  it('refuses pathological nesting with an error, not a stack overflow', () => {
    expect(error(`${'('.repeat(5000)}flyer${')'.repeat(5000)}`).message).toBe('the filter is nested too deeply');
    expect(error(`${'not '.repeat(5000)}flyer`).message).toBe('the filter is nested too deeply');
    expect(compileFilter(`${'('.repeat(50)}flyer${')'.repeat(50)}`, catalog).ok).toBe(true);
  });
});

/** txlcn behaviour beyond the golden fixtures: framing, detection, direction, pairing, the JSON fallback, encode errors. */
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { StreamDeframer, deframeAll } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE, type Direction } from '../../../shared/codec/protocol';
import { EncodeError, type Doc } from '../../../shared/codec/schema';
import { txlcnProtocol as P } from '../../../shared/protocols/txlcn/txlcn.protocol';
import { fixtureProtocols, loadFixtures, type Fixture } from '../../support/fixtures';

const fixtures = loadFixtures('txlcn');
const fx = (prefix: string): Fixture => fixtures.find((f) => f.file.startsWith(prefix))!;
const isJson = (f: Fixture): boolean => f.bytes[0] === 0x7b || f.bytes[4] === 0x7b;
/** Valid binary PDUs. */
const binary = fixtures.filter((f) => f.roundTrip && !isJson(f));
/** A remoteKey over 65535 bytes: the one case real peers write TC_LONGSTRING. */
const LONG_KEY = `/${'0123456789abcdef'.repeat(4096).slice(0, 65535)}:8070`;
const longPdu = (): Uint8Array => P.encode('cg', 'c2s', { ...P.messages.find((m) => m.name === 'cg')!.template(), remoteKey: LONG_KEY });

function pdusOf(chunks: Uint8Array[], variant?: string): Uint8Array[] {
  const d = new StreamDeframer(P.framer('c2s', { variant }));
  const out = chunks.flatMap((c) => d.push(c));
  expect(out.filter((p) => p.skipped)).toEqual([]);
  return out.map((p) => p.bytes);
}

describe('txlcn framing', () => {
  const stream = concatBytes(binary.map((f) => f.bytes));

  it('cuts many PDUs out of one chunk', () => {
    const got = pdusOf([stream]);
    expect(got.map((b) => toHex(b))).toEqual(binary.map((f) => toHex(f.bytes)));
  });

  it('cuts the same PDUs whatever the chunk boundaries', () => {
    const big = longPdu();
    const three = concatBytes([fx('02').bytes, fx('24').bytes, big]);
    for (let k = 1; k < three.length; k += k < 600 ? 1 : 997) {
      const got = pdusOf([three.subarray(0, k), three.subarray(k)]);
      expect(got.length, `split at ${k}`).toBe(3);
      expect(bytesEqual(got[0], fx('02').bytes) && bytesEqual(got[1], fx('24').bytes) && bytesEqual(got[2], big), `split at ${k}`).toBe(true);
    }
    const bytewise = pdusOf(Array.from(stream.subarray(0, 2000), (b) => Uint8Array.of(b)));
    expect(bytewise.length).toBeGreaterThan(3);
    expect(bytewise.every((p, i) => bytesEqual(p, binary[i].bytes))).toBe(true);
  });

  it('frames the length-prefixed JSON fallback and, in variant json, JSON lines', () => {
    const lp = fx('29').bytes;
    expect(pdusOf([concatBytes([lp, fx('03').bytes])]).map((b) => toHex(b))).toEqual([toHex(lp), toHex(fx('03').bytes)]);
    const line = fx('30').bytes;
    const lines = concatBytes([line, line]);
    expect(pdusOf([lines.subarray(0, 20), lines.subarray(20)], 'json').map((b) => toHex(b))).toEqual([toHex(line), toHex(line)]);
  });

  it('resynchronises after garbage on the next plausible header', () => {
    const garbage = fromHex('deadbeef 00 00 00 10 00 00 00 0c 05 73 ff 00 0102');
    const d = new StreamDeframer(P.framer('c2s'));
    const out = d.push(concatBytes([garbage, fx('03').bytes, fx('11').bytes]));
    expect(out[0].skipped).toBe(true);
    expect(toHex(out[0].bytes)).toBe(toHex(garbage));
    expect(out.slice(1).map((p) => toHex(p.bytes))).toEqual([toHex(fx('03').bytes), toHex(fx('11').bytes)]);
  });

  it('honours maxPdu: a bogus or oversized length is garbage, nothing is allocated for it', () => {
    const f = P.framer('c2s', { maxPdu: 200 });
    const big = fx('02').bytes; // 271 bytes
    expect(f.frame(big, 0, big.length)).toBe(INVALID);
    const small = fx('11').bytes;
    expect(f.frame(small, 0, small.length)).toBe(small.length);
    const bogus = fromHex('7fffffff 7ffffffb 05 73 72 01');
    expect(P.framer('c2s').frame(bogus, 0, bogus.length)).toBe(INVALID);
    expect(P.framer('c2s').frame(bogus, 0, 1)).toBe(INVALID);
    expect(P.framer('c2s').frame(small, 0, 3)).toBe(NEED_MORE);
    expect(P.framer('c2s').frame(small, 0, small.length - 1)).toBe(NEED_MORE);
  });

  it('is strict when resynchronising: L1 = L2 + 4 and 05 73 72 01', () => {
    const f = P.framer('c2s');
    const ok = fx('03').bytes;
    expect(f.plausible!(ok, 0, ok.length)).toBe(true);
    const mismatch = fx('33').bytes;
    expect(f.frame(mismatch, 0, mismatch.length)).toBe(mismatch.length); // accepted at a PDU boundary (warn on decode)
    expect(f.plausible!(mismatch, 0, mismatch.length)).toBe(false);
    const noObject = Uint8Array.from(ok);
    noObject[9] = 0x74;
    expect(f.plausible!(noObject, 0, noObject.length)).toBe(false);
    expect(f.frame(noObject, 0, noObject.length)).toBe(INVALID);
  });

  it('deframeAll leaves a partial PDU as the remainder', () => {
    const b = fx('02').bytes;
    const { pdus, remainder } = deframeAll(P.framer('s2c'), b.subarray(0, 100));
    expect(pdus).toEqual([]);
    expect(remainder.length).toBe(100);
  });
});

describe('txlcn detection and direction', () => {
  it('detects every binary PDU, not the JSON fallback (Decode As only)', () => {
    // §4.7 wants L1 = L2 + 4: the length-mismatch fixture decodes (with a warn) but is not detected.
    for (const f of fixtures.filter((x) => !isJson(x))) expect(P.detect(f.bytes), f.file).toBe(!f.file.startsWith('33'));
    for (const f of fixtures.filter(isJson)) expect(P.detect(f.bytes), f.file).toBe(false);
    expect(P.detect(fx('02').bytes.subarray(0, 11))).toBe(false);
    expect(P.detect(fx('02').bytes.subarray(0, 20))).toBe(true);
    const otherPackage = Uint8Array.from(fx('02').bytes);
    otherPackage[14 + 4] = 0x78; // "com.xodingapi…"
    expect(P.detect(otherPackage)).toBe(false);
  });

  it('does not claim other protocols\' fixtures', () => {
    const others = fixtureProtocols().filter((p) => p !== 'txlcn');
    for (const id of others) {
      for (const f of loadFixtures(id)) expect(P.detect(f.bytes), `${id}/${f.file}`).toBe(false);
    }
  });

  it('guesses the direction from the action, and for rok/rex from remoteKey and groupId', () => {
    const expected: Record<string, Direction> = {};
    for (const f of fixtures) if (f.roundTrip) expected[f.file] = f.direction;
    // The echo is byte for byte the heartbeat: only the connection can tell them apart.
    expected['12-h-echo.json'] = 's2c';
    // The document's rok in example 5 keeps the request's remoteKey ":8070", which reads as a client's.
    expected['23-rok-ats-document-payload.json'] = 'c2s';
    for (const f of fixtures.filter((x) => x.roundTrip)) expect(P.guessDirection(f.bytes), f.file).toBe(expected[f.file]);
  });
});

describe('txlcn peek and pairing', () => {
  it('pairs a request and its rok by key; heartbeats with their echo; nc and Null take no part', () => {
    const pair = (prefix: string): unknown => { const f = fx(prefix); return P.peek(f.bytes, f.direction, { context: f.context }).pair; };
    expect(pair('16')).toEqual({ role: 'request', key: '251725517007399087' });
    expect(pair('17')).toEqual({ role: 'response', key: '251725517007399087' });
    expect(pair('19')).toEqual({ role: 'response', key: '253032248421004632' });
    expect(pair('11')).toEqual({ role: 'request', key: '252356025399579923' });
    expect(pair('12')).toEqual({ role: 'response', key: '252356025399579923' });
    expect(pair('01')).toEqual({ role: 'none' });
    expect(pair('25')).toEqual({ role: 'none' });
    expect(pair('26')).toEqual({ role: 'request', key: '25303248287617952' });
  });

  it('summarises with key and groupId (remoteKey only when nothing else identifies the message)', () => {
    expect(P.peek(fx('02').bytes, 'c2s').summary).toBe('clg key=253032592607473146 groupId=25303224612738888');
    expect(P.peek(fx('01').bytes, 's2c').summary).toBe('nc remoteKey=/127.0.0.1:60302');
    expect(P.peek(fx('26').bytes, 'c2s').summary).toBe('Unknown action=xx key=25303248287617952 groupId=25303224612738888');
    expect(P.peek(fx('32').bytes, 'c2s')).toMatchObject({ message: 'clg', malformed: true });
  });

  it('agrees with decode on mangled input and never throws', () => {
    let seed = 7;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (const f of binary) {
      for (let i = 0; i < 60; i++) {
        const b = Uint8Array.from(f.bytes);
        for (let k = 0; k < 1 + rand(3); k++) b[rand(b.length)] = rand(256);
        const frame = P.decode(b, f.direction);
        const peek = P.peek(b, f.direction);
        expect(peek.message).toBe(frame.message);
        expect(peek.summary).toBe(frame.summary);
      }
    }
  });
});

describe('txlcn payloads', () => {
  it('reads a rok payload with the request\'s table, by shape without it, raw for gal', () => {
    const b = fx('10').bytes;
    expect(P.decode(b, 's2c', { context: { requestAction: 'ats' } }).value.params).toEqual({ value: -1 });
    const alone = P.decode(b, 's2c');
    expect(alone.value.params).toEqual({ value: -1 });
    expect(alone.notes).toEqual([{ severity: 'info', message: 'no request context: the rok payload is read as TransactionState by its shape' }]);
    const asGal = P.decode(b, 's2c', { context: { requestAction: 'gal' } });
    expect(asGal.value.params).toBeUndefined();
    expect(asGal.value.bytes).toBe('08ffffffff0f');
    expect(asGal.notes).toEqual([]);
  });

  it('keeps bytes (not params) when the payload does not re-encode identically', () => {
    // state as a 10-byte varint of 1: valid protobuf, but protostuff would write 1 byte.
    const clg = P.decode(fx('02').bytes, 'c2s').value;
    const tenByteOne = '0a0131' + '10' + '81808080808080808000';
    const odd = P.encode('clg', 'c2s', { ...clg, params: undefined, bytes: tenByteOne });
    const back = P.decode(odd, 'c2s');
    expect(back.value.params).toBeUndefined();
    expect(back.value.bytes).toBe(tenByteOne);
    expect(toHex(P.encode('clg', 'c2s', back.value))).toBe(toHex(odd));
  });

  it('encodes params with the action\'s table (Short −1 as ff ff ff ff 0f)', () => {
    const rok = P.encode('rok', 's2c', { key: 'k', action: 'rok', params: { value: -1 }, groupId: null, remoteKey: null });
    expect(toHex(rok)).toContain('0000000608ffffffff0f');
    const wc = P.encode('wc', 'c2s', { key: 'k', params: { groupId: 'g', registrar: -2, transactionState: 1 }, groupId: 'g', remoteKey: null });
    expect(P.decode(wc, 'c2s').value.params).toEqual({ groupId: 'g', registrar: -2, transactionState: 1 });
  });
});

describe('txlcn encoding', () => {
  it('encodes every template into a PDU that decodes back to it', () => {
    for (const m of P.messages) {
      const doc = m.template();
      const b = P.encode(m.name, m.direction === 's2c' ? 's2c' : 'c2s', doc);
      const frame = P.decode(b, 'c2s');
      expect(frame.message, m.name).toBe(m.name);
      expect(frame.malformed, m.name).toBe(false);
      expect(frame.notes.filter((n) => n.severity !== 'info'), m.name).toEqual([]);
      expect(frame.value, m.name).toEqual(doc);
      expect(P.detect(b), m.name).toBe(true);
      expect(m.schema.title).toBe(m.name);
      // The schema is closed (additionalProperties: false): every template member must be declared.
      for (const k of Object.keys(doc)) expect(m.schema.properties, `${m.name}.${k}`).toHaveProperty(k);
    }
  });

  it('accepts the document\'s JSON form (msg nested, bytes Base64, absent members null)', () => {
    const flat = P.decode(fx('02').bytes, 'c2s').value;
    const json = JSON.parse('{"key":"253032592607473146","msg":{"action":"clg","bytes":"ChEyNTMwMzIyNDYxMjczODg4OBAA","groupId":"25303224612738888"},"remoteKey":"/127.0.0.1:8070"}') as Doc;
    expect(toHex(P.encode('clg', 'c2s', json))).toBe(toHex(fx('02').bytes));
    expect(toHex(P.encode('clg', 'c2s', flat))).toBe(toHex(fx('02').bytes));
    const nc = JSON.parse('{"msg":{"action":"nc","bytes":"CgkxMjcuMC4wLjEQiD8="},"remoteKey":"/127.0.0.1:60302"}') as Doc;
    expect(toHex(P.encode('nc', 's2c', nc))).toBe(toHex(fx('01').bytes));
  });

  it('re-emits a captured reference, and refuses one that no longer matches', () => {
    const doc = P.decode(fx('24').bytes, 'c2s').value;
    expect(doc.refs).toEqual({ groupId: 0x7e0003 });
    expect(doc.groupId).toBe(doc.key);
    expect(toHex(P.encode('cg', 'c2s', doc))).toBe(toHex(fx('24').bytes));
    expect(() => P.encode('cg', 'c2s', { ...doc, groupId: 'other' })).toThrow(/txlcn\.refs\.groupId: handle 0x7e0003 is the string/);
    expect(() => P.encode('cg', 'c2s', { ...doc, refs: { groupId: 0x7e0009 } })).toThrow(/not written before it/);
    const literal = P.encode('cg', 'c2s', { ...doc, refs: undefined });
    expect(literal.length).toBe(fx('24').bytes.length + 15);
  });

  it('writes TC_LONGSTRING only for strings over 65535 bytes', () => {
    const b = longPdu();
    expect(toHex(b.subarray(b.length - LONG_KEY.length - 9, b.length - LONG_KEY.length))).toBe('7c0000000000010005');
    const frame = P.decode(b, 'c2s');
    expect(frame.notes).toEqual([]);
    expect(frame.value.remoteKey).toBe(LONG_KEY);
    expect(frame.value.stream).toBeUndefined();
    expect(frame.tree[0].children!.find((n) => n.abbrev === 'txlcn.json')!.display).toMatch(/… \(\d+ chars\)$/);
    expect(bytesEqual(P.encode('cg', 'c2s', frame.value), b)).toBe(true);
    expect(P.peek(b, 'c2s').summary).toBe(frame.summary);
    const short = P.encode('cg', 'c2s', { ...frame.value, remoteKey: 'x'.repeat(65535) });
    expect(short[short.length - 65535 - 3]).toBe(0x74);
    // A short TC_LONGSTRING (fixture 27) is valid but not canonical: kept verbatim.
    expect(typeof P.decode(fx('27').bytes, 'c2s').value.stream).toBe('string');
  });

  it('keeps a valid non-canonical stream verbatim, and refuses edits that contradict it', () => {
    const doc = P.decode(fx('34').bytes, 'c2s').value;
    expect(typeof doc.stream).toBe('string');
    expect(() => P.encode('clg', 'c2s', { ...doc, key: 'edited' })).toThrow(/txlcn\.stream/);
    const { stream: _stream, ...canonical } = doc;
    const b = P.encode('clg', 'c2s', canonical);
    expect(b.length).toBe(fx('34').bytes.length + 11); // the fat [B descriptor
    expect(P.decode(b, 'c2s').value.stream).toBeUndefined();
  });

  const errors: Array<[string, string, Doc, RegExp]> = [
    ['an unknown message', 'xyz', {}, /unknown message "xyz"/],
    ['an action that contradicts the message', 'cg', { action: 'atg' }, /txlcn\.action: "atg" does not match the message cg/],
    ['a known action as Unknown', 'Unknown', { action: 'cg' }, /is a known action/],
    ['a Null message with msg members', 'Null', { key: 'k', groupId: 'g' }, /txlcn\.groupId: a Null message has no msg/],
    ['a non-string key', 'cg', { key: 5 }, /txlcn\.key: expected a string or null/],
    ['bad hex', 'cg', { bytes: 'zz' }, /txlcn\.bytes/],
    ['params and bytes', 'clg', { bytes: '00', params: { state: 1 } }, /either params or bytes/],
    ['params for an action without a table', 'cg', { params: { state: 1 } }, /txlcn\.params: action "cg" has no payload table/],
    ['a member not in the table', 'clg', { params: { colour: 'red' } }, /txlcn\.params\.colour: not a field of NotifyGroupParams/],
    ['an unrecognisable rok payload', 'rok', { params: { host: 'h' } }, /cannot tell the rok payload's table/],
    ['a member of no txlcn message', 'cg', { keys: 'k' }, /txlcn\.keys: not a member/],
    ['JSON-mode members in binary mode', 'cg', { text: '{}' }, /txlcn\.text: not a member of a txlcn message outside JSON mode/],
    ['a reference for msg', 'cg', { refs: { msg: 0x7e0000 } }, /txlcn\.refs\.msg: only/],
    ['a bad length override', 'cg', { length: -1 }, /txlcn\.length: expected a u32/],
  ];
  it.each(errors)('throws EncodeError naming the field for %s', (_what, message, doc, pattern) => {
    expect(() => P.encode(message, 'c2s', doc)).toThrow(EncodeError);
    expect(() => P.encode(message, 'c2s', doc)).toThrow(pattern);
  });

  it('honours length and inner_length overrides (deliberately broken frames)', () => {
    const b = P.encode('h', 's2c', { key: 'k', inner_length: 1, length: 2 });
    expect(toHex(b.subarray(0, 8))).toBe('0000000200000001');
  });
});

describe('txlcn JSON compatibility mode', () => {
  it('encodes JSON lines only when the variant asks, and decodes them back', () => {
    const doc = P.messages.find((m) => m.name === 'atg')!.template();
    const bin = P.encode('atg', 'c2s', doc);
    expect(bin[8]).toBe(0x05);
    const line = P.encode('atg', 'c2s', doc, { variant: 'json' });
    expect(new TextDecoder().decode(line)).toBe('{"key":"25303248287617950","msg":{"action":"atg","bytes":"ChEyNTMwMzIyNDYxMjczODg4OBIgNGQ1NTcwMjc3Yzg1OTI5OTI5YWUxNDBiNjFlNjA3ZjAaA3R4Yw==","groupId":"25303224612738888"},"remoteKey":"/127.0.0.1:8070"}\n');
    const back = P.decode(line, 'c2s', { variant: 'json' });
    expect(back.notes).toEqual([{ severity: 'info', message: 'JSON mode (document form)' }]);
    const { stream_version: _v, ...rest } = doc;
    expect(back.value).toEqual({ framing: 'newline', ...rest });
    expect(toHex(P.encode('atg', 'c2s', back.value))).toBe(toHex(line));
    const lp = P.encode('atg', 'c2s', { ...doc, framing: 'length' });
    expect(toHex(lp.subarray(0, 5))).toBe(`${(line.length - 1).toString(16).padStart(8, '0')}7b`);
    const nullMsg = P.encode('Null', 'c2s', { key: 'k', remoteKey: null }, { variant: 'json' });
    expect(new TextDecoder().decode(nullMsg)).toBe('{"key":"k"}\n');
    const crlf = P.encode('Null', 'c2s', { key: 'k', framing: 'crlf' });
    expect(P.decode(crlf, 'c2s').value).toEqual({ framing: 'crlf', key: 'k', remoteKey: null });
  });

  it('keeps non-compact JSON verbatim, refuses contradicting edits and newlines in a line', () => {
    const doc = P.decode(fx('31').bytes, 'c2s').value;
    expect(doc.framing).toBe('length');
    expect(typeof doc.text).toBe('string');
    expect(() => P.encode('atg', 'c2s', { ...doc, key: 'edited' })).toThrow(/txlcn\.text/);
    expect(() => P.encode('atg', 'c2s', { ...doc, framing: 'newline' })).toThrow(/cannot contain a newline/);
  });

  it('reports unknown members (warn) and wrong types (error)', () => {
    const odd = P.decode(concatBytes([utf8('{"key":"k","extra":1,"msg":{"action":"h"}}'), Uint8Array.of(0x0a)]), 's2c');
    expect(odd.message).toBe('h');
    expect(odd.notes.map((n) => n.severity)).toEqual(['info', 'warn', 'info']);
    expect(toHex(P.encode('h', 's2c', odd.value))).toBe(toHex(concatBytes([utf8('{"key":"k","extra":1,"msg":{"action":"h"}}'), Uint8Array.of(0x0a)])));
    const bad = P.decode(utf8('{"key":5,"msg":{"action":"h","bytes":"@@"}}\n'), 's2c');
    expect(bad.malformed).toBe(true);
    expect(bad.notes.filter((n) => n.severity === 'error').map((n) => n.message)).toEqual(['JSON: key is not a string', 'JSON: bytes is not valid Base64']);
    const broken = P.decode(utf8('{"key":\n'), 's2c');
    expect(broken.malformed).toBe(true);
  });
});

describe('txlcn decoding edge cases', () => {
  it('warns when stream_version is not 5 but still decodes', () => {
    const b = Uint8Array.from(fx('03').bytes);
    b[8] = 6;
    const f = P.decode(b, 'c2s');
    expect(f.message).toBe('cg');
    expect(f.notes.some((n) => n.severity === 'error' && n.message.includes('stream version is 6'))).toBe(true);
  });

  it('shows bytes after the object as trailing bytes', () => {
    const b = concatBytes([fx('11').bytes, Uint8Array.of(1, 2)]);
    b[3] += 2;
    const f = P.decode(b, 's2c');
    expect(f.message).toBe('h');
    expect(f.notes).toEqual([
      { severity: 'warn', message: `length ${b.length - 4} ≠ inner_length ${b.length - 10} + 4: the PDU is cut by length` },
      { severity: 'warn', message: '2 trailing bytes not decoded' },
    ]);
  });

  it('never throws on random input', () => {
    let seed = 99;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (let i = 0; i < 500; i++) {
      const b = Uint8Array.from({ length: rand(80) }, () => rand(256));
      if (i % 2) b.set([0, 0, 0, b.length - 4, 0, 0, 0, b.length - 8, 5, 0x73].slice(0, b.length));
      expect(() => P.decode(b, 'c2s')).not.toThrow();
      expect(() => P.peek(b, 'c2s')).not.toThrow();
      expect(() => P.guessDirection(b)).not.toThrow();
    }
  });

  it('lists every message and field of §4.3/§4.9', () => {
    expect(P.messages.map((m) => m.name).sort()).toEqual(['Null', 'Unknown', 'atg', 'ats', 'cg', 'clg', 'gal', 'h', 'ic', 'nc', 'nt', 'rex', 'rok', 'wc']);
    const abbrevs = P.catalog.map((c) => c.abbrev);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    for (const a of ['length', 'inner_length', 'stream_version', 'class_name', 'key_len', 'key', 'action_len', 'action', 'bytes_len', 'bytes',
      'groupId_len', 'groupId', 'remoteKey_len', 'remoteKey', 'json', 'params.groupId', 'params.unitId', 'params.unitType', 'params.remoteKey',
      'params.appName', 'params.host', 'params.state', 'params.port', 'params.registrar', 'params.transactionState', 'params.value', 'params.dtxTime']) {
      expect(abbrevs).toContain(`txlcn.${a}`);
    }
    expect(P.catalog.find((c) => c.abbrev === 'txlcn.params.dtxTime')!.type).toBe('i64');
    expect(P.catalog.find((c) => c.abbrev === 'txlcn.json')!.generated).toBe(true);
  });
});

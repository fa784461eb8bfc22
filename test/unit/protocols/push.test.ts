/**
 * push-specific behaviour (PROTOCOLS.md §5) beyond the golden fixtures: the stateful client framer (magic only at
 * the start, line + body as one PDU), broker frames, resynchronisation, maxPdu, the TLS/compression upgrade,
 * detection, direction guessing, pairing, the DOC ≠ WIRE forms, text fallbacks, encode errors and templates.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { StreamDeframer, deframeAll, type DeframedPdu } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE, type Direction, type PairingKey } from '../../../shared/codec/protocol';
import { EncodeError, type Doc } from '../../../shared/codec/schema';
import { flattenFields } from '../../../shared/codec/tree';
import { pushProtocol as push, pushUpgrades } from '../../../shared/protocols/push/push.protocol';
import { fixtureProtocols, loadFixtures, rangeViolations } from '../../support/fixtures';

const fixtures = loadFixtures('push');
const valid = fixtures.filter((f) => f.roundTrip);
const c2sCommands = valid.filter((f) => f.direction === 'c2s' && f.message !== 'Magic');
const s2cFrames = valid.filter((f) => f.direction === 's2c');
/** Broker frames of one plain connection: not the TLS negotiation, after which the framer stops (tested apart). */
const s2cPlain = s2cFrames.filter((f) => !f.file.includes('tls'));
const fx = (prefix: string): Uint8Array => fixtures.find((f) => f.file.startsWith(prefix))!.bytes;

const MAGIC = fromHex('20205631');
const text = (s: string): Uint8Array => utf8(s);
const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const frame = (type: number, data: Uint8Array): Uint8Array => concatBytes([u32(4 + data.length), u32(type), data]);
const identify = (json: string): Uint8Array => concatBytes([text('IDENTIFY\n'), u32(utf8(json).length), text(json)]);

function hexes(pdus: DeframedPdu[]): string[] {
  return pdus.map((p) => (p.skipped ? `skipped:${toHex(p.bytes)}` : toHex(p.bytes)));
}

function streamTests(direction: Direction, stream: Uint8Array, expected: string[]): void {
  it('cuts many PDUs from one chunk', () => {
    const { pdus, remainder } = deframeAll(push.framer(direction), stream);
    expect(hexes(pdus)).toEqual(expected);
    expect(remainder.length).toBe(0);
  });

  it('gives the same PDUs when the stream is split at every byte boundary', () => {
    for (let at = 0; at <= stream.length; at++) {
      const d = new StreamDeframer(push.framer(direction));
      const out: DeframedPdu[] = [];
      d.push(stream.subarray(0, at), out);
      d.push(stream.subarray(at), out);
      expect(hexes(out), `split at ${at}`).toEqual(expected);
      expect(d.buffered).toBe(0);
    }
  });

  it('gives the same PDUs fed one byte at a time and in random chunks', () => {
    const d = new StreamDeframer(push.framer(direction));
    const out: DeframedPdu[] = [];
    for (let i = 0; i < stream.length; i++) d.push(stream.subarray(i, i + 1), out);
    expect(hexes(out)).toEqual(expected);

    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 100 }), (sizes) => {
      const dd = new StreamDeframer(push.framer(direction));
      const got: DeframedPdu[] = [];
      let at = 0;
      for (let i = 0; at < stream.length; i++) {
        const n = sizes[i % sizes.length];
        dd.push(stream.subarray(at, at + n), got);
        at += n;
      }
      expect(hexes(got)).toEqual(expected);
    }), { numRuns: 50 });
  });
}

describe('push c2s framing', () => {
  const stream = concatBytes([MAGIC, ...c2sCommands.map((f) => f.bytes)]);
  streamTests('c2s', stream, [toHex(MAGIC), ...c2sCommands.map((f) => toHex(f.bytes))]);

  it('has every kind of command in the test stream', () => {
    expect(new Set(c2sCommands.map((f) => f.message))).toEqual(new Set(['H', 'NOP', 'IDENTIFY', 'SUB', 'PUB', 'CLS', 'Unknown']));
  });

  it('takes the magic only at the very start of the stream', () => {
    const f = push.framer('c2s');
    expect(f.frame(MAGIC, 0, 1)).toBe(NEED_MORE);
    expect(f.frame(MAGIC, 0, 3)).toBe(NEED_MORE);
    expect(f.frame(MAGIC, 0, 4)).toBe(4);
    f.commit?.(MAGIC);
    // Afterwards two spaces are just the start of a (bogus) line.
    expect(f.frame(text('  V1\n'), 0, 5)).toBe(5);
  });

  it('cuts a wrong magic as one 4-byte PDU (the broker reads 4 bytes, whatever they are)', () => {
    const { pdus } = deframeAll(push.framer('c2s'), concatBytes([text('  V2'), text('H\n')]));
    expect(hexes(pdus)).toEqual([toHex(text('  V2')), toHex(text('H\n'))]);
    expect(push.decode(pdus[0].bytes, 'c2s').message).toBe('Magic');
  });

  it('parses a stream that does not start with the magic (joined mid-way) as commands', () => {
    const s = text('SUB 1030391111929\nH\nCLS\n');
    const { pdus } = deframeAll(push.framer('c2s'), s);
    expect(pdus.map((p) => push.decode(p.bytes, 'c2s').message)).toEqual(['SUB', 'H', 'CLS']);
  });

  it('keeps an IDENTIFY or PUB line and its body as one PDU, waiting for the size and the body', () => {
    const pub = fx('10-pub');
    const f = push.framer('c2s');
    f.commit?.(MAGIC);
    const lineEnd = pub.indexOf(0x0a) + 1;
    expect(f.frame(pub, 0, lineEnd - 1)).toBe(NEED_MORE);
    expect(f.frame(pub, 0, lineEnd)).toBe(NEED_MORE);
    expect(f.frame(pub, 0, lineEnd + 3)).toBe(NEED_MORE);
    expect(f.frame(pub, 0, pub.length - 1)).toBe(NEED_MORE);
    expect(f.frame(pub, 0, pub.length)).toBe(pub.length);
    // A body that happens to contain \n does not end the PDU.
    const nl = concatBytes([text('PUB 1 2 3\n'), u32(3), text('a\nb')]);
    expect(f.frame(nl, 0, nl.length)).toBe(nl.length);
  });

  it('rejects a bogus body size above maxPdu without waiting or allocating', () => {
    const huge = concatBytes([text('PUB 1 2 3\n'), u32(0xffffffff)]);
    expect(push.framer('c2s').frame(huge, 0, huge.length)).toBe(INVALID);
    const body = concatBytes([text('IDENTIFY\n'), u32(200)]);
    expect(push.framer('c2s', { maxPdu: 100 }).frame(body, 0, body.length)).toBe(INVALID);
    expect(push.framer('c2s', { maxPdu: 1000 }).frame(body, 0, body.length)).toBe(NEED_MORE);
  });

  it('rejects lines with control bytes and lines longer than the broker reads (16 KiB)', () => {
    const f = push.framer('c2s');
    f.commit?.(MAGIC);
    expect(f.frame(text('SUB\x001\n'), 0, 6)).toBe(INVALID);
    expect(f.frame(text('SUB 1\rx\n'), 0, 8)).toBe(INVALID);
    const long = new Uint8Array(17 * 1024).fill(0x41);
    expect(f.frame(long, 0, 16 * 1024 - 1)).toBe(NEED_MORE);
    expect(f.frame(long, 0, long.length)).toBe(INVALID);
  });

  it('resynchronises on the next known command after garbage', () => {
    const s = concatBytes([MAGIC, text('SUB 1\n'), fromHex('00ff13 2a 7f 01'), text('H\n'), text('CLS\n')]);
    const { pdus } = deframeAll(push.framer('c2s'), s);
    expect(hexes(pdus)).toEqual([toHex(MAGIC), toHex(text('SUB 1\n')), 'skipped:00ff132a7f01', toHex(text('H\n')), toHex(text('CLS\n'))]);
  });

  it('stops framing after an IDENTIFY that asked for TLS when the next bytes are no command (the upgrade happened)', () => {
    const asked = identify('{"client_id":"1","feature_negotiation":true,"tls_v1":true}');
    // A TLS record whose ciphertext happens to contain "H\n" and "SUB 1\n".
    const tls = concatBytes([fromHex('160301 00a5 01 0000a1 0303'), text('H\nSUB 1\n'), fromHex('8f3c9a00')]);
    const { pdus } = deframeAll(push.framer('c2s'), concatBytes([MAGIC, asked, tls]));
    expect(hexes(pdus)).toEqual([toHex(MAGIC), toHex(asked), `skipped:${toHex(tls)}`]);
    // Declined by the broker (tls_v1 false in its reply): the client goes on in clear text.
    const d = deframeAll(push.framer('c2s'), concatBytes([MAGIC, asked, text('SUB 1\n')]));
    expect(d.pdus.map((p) => p.skipped ?? false)).toEqual([false, false, false]);
  });
});

describe('push s2c framing', () => {
  streamTests('s2c', concatBytes(s2cPlain.map((f) => f.bytes)), s2cPlain.map((f) => toHex(f.bytes)));

  it('waits for the header and the data', () => {
    const ok = fx('14-response-ok');
    const f = push.framer('s2c');
    for (let n = 0; n < ok.length; n++) expect(f.frame(ok, 0, n), `${n} bytes`).toBe(NEED_MORE);
    expect(f.frame(ok, 0, ok.length)).toBe(ok.length);
  });

  it('honours maxPdu and rejects sizes below 4', () => {
    expect(push.framer('s2c').frame(fromHex('7fffffff00000000'), 0, 8)).toBe(INVALID);
    const big = frame(0, new Uint8Array(100).fill(0x41));
    expect(push.framer('s2c', { maxPdu: 64 }).frame(big, 0, big.length)).toBe(INVALID);
    expect(push.framer('s2c', { maxPdu: 107 }).frame(big, 0, big.length)).toBe(INVALID);
    expect(push.framer('s2c', { maxPdu: 108 }).frame(big, 0, big.length)).toBe(108);
    expect(push.framer('s2c').frame(fromHex('0000000300000000'), 0, 8)).toBe(INVALID);
  });

  it('resynchronises on the next plausible frame after garbage', () => {
    const ok = fx('14-response-ok');
    const ack = fx('29-ack-offline');
    const garbage = fromHex('deadbeef 0102 ff 4f4b ff');
    const { pdus } = deframeAll(push.framer('s2c'), concatBytes([ok, garbage, ack]));
    expect(hexes(pdus)).toEqual([toHex(ok), `skipped:${toHex(garbage)}`, toHex(ack)]);
  });

  it('reports everything after a negotiation Response with TLS as not decodable', () => {
    const tls = fx('18-response-negotiation-tls');
    const rest = concatBytes([fromHex('160303004a02000046'), fx('14-response-ok'), fx('29-ack-offline')]);
    const { pdus } = deframeAll(push.framer('s2c'), concatBytes([fx('14-response-ok'), tls, rest]));
    expect(hexes(pdus)).toEqual([toHex(fx('14-response-ok')), toHex(tls), `skipped:${toHex(rest)}`]);
    // Without an upgrade the negotiation Response changes nothing.
    const plain = deframeAll(push.framer('s2c'), concatBytes([fx('17-response-negotiation'), fx('14-response-ok')]));
    expect(plain.pdus.map((p) => p.skipped ?? false)).toEqual([false, false]);
  });
});

describe('push TLS/compression upgrade', () => {
  it('adds an info note on the negotiation Response and tells the engine what was negotiated', () => {
    const f = push.decode(fx('18-response-negotiation-tls'), 's2c');
    expect(f.notes).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(f.malformed).toBe(false);
    expect(pushUpgrades(f)).toEqual(['tls_v1']);
    expect(pushUpgrades(push.decode(fx('17-response-negotiation'), 's2c'))).toEqual([]);
    const both = push.decode(frame(0, text('{"version":"0.1.0-alpha","tls_v1":true,"deflate":false,"deflate_level":0,"max_deflate_level":6,"snappy":true,"sample_rate":0}')), 's2c');
    expect(pushUpgrades(both)).toEqual(['tls_v1', 'snappy']);
    expect(both.notes[0].message).toContain('TLS + snappy');
  });
});

describe('push detection', () => {
  it('recognises the client side: the magic, or a known command line mid-stream', () => {
    expect(push.detect(MAGIC, 'c2s')).toBe(true);
    expect(push.detect(concatBytes([MAGIC, fx('05-identify')]))).toBe(true);
    for (const f of c2sCommands.filter((c) => c.message !== 'Unknown' && c.notes.length === 0)) {
      expect(push.detect(f.bytes, 'c2s'), f.file).toBe(true);
    }
    expect(push.detect(text('PUB -1 2 -3\r\n'), 'c2s')).toBe(true);
    expect(push.detect(text('RDY 1\n'), 'c2s')).toBe(false);
    expect(push.detect(text('SUB abc\n'), 'c2s')).toBe(false);
    expect(push.detect(text('HELLO\n'), 'c2s')).toBe(false);
    expect(push.detect(text('SUB 1'), 'c2s')).toBe(false); // not a whole line yet
  });

  it('recognises the broker side: size 4 … 5 MiB, type ≤ 3, printable Response/Error data, Error starting E_', () => {
    for (const f of s2cFrames.filter((s) => s.message !== 'Unknown' && !s.file.includes('internal'))) {
      expect(push.detect(f.bytes, 's2c'), f.file).toBe(true);
      expect(push.detect(f.bytes), f.file).toBe(true);
    }
    expect(push.detect(fx('32-unknown-frame-type'), 's2c')).toBe(false);
    expect(push.detect(frame(1, text('nope')), 's2c')).toBe(false);
    expect(push.detect(frame(0, fromHex('0001')), 's2c')).toBe(false);
    expect(push.detect(concatBytes([u32(6 * 1024 * 1024), u32(0), text('OK')]), 's2c')).toBe(false);
    // Direction matters: a command is not a broker frame and vice versa.
    expect(push.detect(MAGIC, 's2c')).toBe(false);
    expect(push.detect(fx('14-response-ok'), 'c2s')).toBe(false);
  });

  it("does not claim other protocols' PDUs", () => {
    const others: Array<[string, Uint8Array]> = [
      // PROTOCOLS.md worked examples, in case a sibling's fixtures are not there yet.
      ['flyer ShakeHand', fromHex('0100 09000000 ea030000 0100 0000000000000000 0400 64656d6f 0000 00')],
      ['hodor C', fromHex('f666 0000000000000009 01 02 00000000 0000000f 7b2272657175657374496422 3a397d')],
      ['hodor A', fromHex('00003039 00000001 02 00000000 0000000f')],
      ['tt Heartbeat', fromHex('0000000c 0007 0001 0001 0000')],
      ['tt MsgReadAck', fromHex('00000014 0003 0003 0001 0000 00000004 31303031')],
      ['txlcn', fromHex('000000dd000000d9057372010033636f6d2e636f64696e676170692e')],
      ['http request', text('POST /put?channel_id=1&device_type=3 HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['http request PUT', text('PUT /x HTTP/1.1\r\n\r\n')],
      ['http response', text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK')],
    ];
    for (const id of fixtureProtocols().filter((p) => p !== 'push')) {
      for (const f of loadFixtures(id)) others.push([`${id}/${f.file}`, f.bytes]);
    }
    for (const [name, bytes] of others) expect(push.detect(bytes), name).toBe(false);
  });
});

describe('push direction guessing', () => {
  it('guesses every fixture right', () => {
    for (const f of fixtures) expect(push.guessDirection(f.bytes), f.file).toBe(f.direction);
  });

  it('follows §5.1: magic or an upper-case word then space/newline → c2s, else s2c', () => {
    expect(push.guessDirection(text('RDY 1\n'))).toBe('c2s');
    expect(push.guessDirection(text('H\r\n'))).toBe('c2s');
    expect(push.guessDirection(text('sub 1\n'))).toBe('s2c');
    expect(push.guessDirection(text('H'))).toBe('s2c');
    expect(push.guessDirection(new Uint8Array(0))).toBe('s2c');
  });
});

describe('push pairing (§5.4)', () => {
  const pair = (prefix: string, d: Direction): PairingKey => push.peek(fx(prefix), d).pair;
  const request: PairingKey = { role: 'request', fifo: 'cmd' };
  const response: PairingKey = { role: 'response', fifo: 'cmd' };

  it('gives commands the request role in one FIFO lane, replies the response role, pushes none', () => {
    for (const p of ['03-h', '05-identify', '08-sub', '10-pub', '11-cls', '12-unknown']) expect(pair(p, 'c2s'), p).toEqual(request);
    expect(pair('04-nop', 'c2s')).toEqual({ role: 'none' });
    expect(pair('01-magic', 'c2s')).toEqual({ role: 'none' });
    expect(pair('02-magic-wrong', 'c2s')).toEqual(request); // its E_BAD_PROTOCOL pairs with it
    for (const p of ['14-response', '17-response', '19-error', '29-ack']) expect(pair(p, 's2c'), p).toEqual(response);
    expect(pair('26-message', 's2c')).toEqual({ role: 'none' });
    expect(pair('32-unknown', 's2c')).toEqual({ role: 'none' });
  });

  it('pairs a whole conversation first-in-first-out', () => {
    const c2s = [MAGIC, fx('07-identify'), text('SUB 1030391111929\n'), text('NOP\n'), text('H\n'), text('PUB 1030391111929 1 300000000002\n\x00\x00\x00\x00'), text('CLS\n')];
    const s2c = [fx('17-response'), fx('14-response-ok'), fx('26-message'), fx('15-response-heartbeat'), fx('29-ack'), fx('16-response-close')];
    const requests = c2s.map((b) => push.peek(b, 'c2s')).filter((p) => p.pair.role === 'request').map((p) => p.message);
    const responses = s2c.map((b) => push.peek(b, 's2c')).filter((p) => p.pair.role === 'response').map((p) => p.summary);
    expect(requests.map((r, i) => `${r} → ${responses[i]}`)).toEqual([
      'IDENTIFY → Response version=0.1.0-alpha tls_v1=false deflate=false snappy=false',
      'SUB → Response response=OK',
      'H → Response response=H',
      'PUB → Ack ack_type=2 (target client offline) client_id=1030391111929 message_id=300000000002',
      'CLS → Response response=CLOSE_WAIT',
    ]);
  });
});

describe('push decoding details', () => {
  it('keeps the IDENTIFY JSON as an object when Go would write the same bytes, else as the text', () => {
    expect(push.decode(fx('05-identify'), 'c2s').value.identify).toEqual(expect.objectContaining({ client_id: '1030391111929', heartbeat_interval: 30000 }));
    expect(typeof push.decode(fx('06-identify-document-form'), 'c2s').value.identify).toBe('string');
    // Go escapes <, > and & in strings: such bytes re-serialise exactly, the unescaped form is kept as text.
    const goEscaped = identify('{"client_id":"1","hostname":"a\\u003cb\\u0026c"}');
    const g = push.decode(goEscaped, 'c2s');
    expect(g.value.identify).toEqual({ client_id: '1', hostname: 'a<b&c' });
    expect(toHex(push.encode('IDENTIFY', 'c2s', g.value))).toBe(toHex(goEscaped));
    const raw = identify('{"client_id":"1","hostname":"a<b"}');
    const r = push.decode(raw, 'c2s');
    expect(r.value.identify).toBe('{"client_id":"1","hostname":"a<b"}');
    expect(toHex(push.encode('IDENTIFY', 'c2s', r.value))).toBe(toHex(raw));
  });

  it('shows a numeric client_id as a decimal string, even beyond 2^53', () => {
    const b = identify('{"client_id":9223372036854775807,"heartbeat_interval":-1}');
    const f = push.decode(b, 'c2s');
    expect(flattenFields(f.tree)['push.identify.client_id']).toBe('9223372036854775807');
    expect(f.notes.map((n) => n.severity)).toEqual(['warn']);
    expect(toHex(push.encode('IDENTIFY', 'c2s', f.value))).toBe(toHex(b));
  });

  it('warns on IDENTIFY values the broker rejects, and on bodies that are no JSON object', () => {
    const f = push.decode(identify('{"client_id":"x","heartbeat_interval":-5,"output_buffer_size":10,"output_buffer_timeout":-2}'), 'c2s');
    expect(f.notes.map((n) => n.message.split(' ')[0])).toEqual(['client_id', 'heartbeat_interval', 'output_buffer_size', 'output_buffer_timeout']);
    expect(f.notes.every((n) => n.severity === 'warn')).toBe(true);
    expect(push.decode(identify('{"client_id":'), 'c2s').notes).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('not valid JSON') })]);
    expect(push.decode(identify('[1]'), 'c2s').notes).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('not an object') })]);
  });

  it('keeps a command line that the fields cannot rebuild (leading zeros, + signs, extra spaces)', () => {
    for (const line of ['SUB 007', 'SUB +5', 'PUB 1  2 3', 'H extra', 'CLS ']) {
      const b = concatBytes([text(`${line}\n`), line.startsWith('PUB') ? u32(0) : new Uint8Array(0)]);
      const f = push.decode(b, 'c2s');
      expect(f.value.line, line).toBe(line);
      expect(toHex(push.encode(f.message, 'c2s', f.value)), line).toBe(toHex(b));
      expect(push.decode(push.encode(f.message, 'c2s', f.value), 'c2s').value).toEqual(f.value);
    }
    expect(push.decode(text('SUB 007\n'), 'c2s').value.channel_id).toBe('7');
    expect(push.decode(text('SUB 1\n'), 'c2s').value).toEqual({ command: 'SUB', channel_id: '1' });
  });

  it('flags commands with missing parameters but still round-trips them', () => {
    const f = push.decode(text('PUB 1 2\n'), 'c2s');
    expect(f.message).toBe('PUB');
    expect(f.notes.some((n) => n.severity === 'error')).toBe(true); // the body prefix is missing too
    const sub = push.decode(text('SUB\n'), 'c2s');
    expect(sub.notes).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('without channel_id') })]);
    expect(toHex(push.encode('SUB', 'c2s', sub.value))).toBe(toHex(text('SUB\n')));
  });

  it('decodes the Ack document form, re-encodes it as sent, and encodes the real form by default', () => {
    const f = push.decode(fx('31-ack-document-form'), 's2c');
    expect(f.value).toMatchObject({ ack_type: 1, client_id: '1030391111929', message_id: '300000000002', ack: 'ACK 1 300000000002 1030391111929' });
    const { ack: _ack, ...fields } = f.value;
    expect(toHex(push.encode('Ack', 's2c', fields))).toBe(toHex(frame(3, text('1 1030391111929 300000000002'))));
    const fail = push.decode(frame(3, text('ACK 0 300000000002 1030391111929')), 's2c');
    expect(fail.value.ack_type).toBe(0);
    expect(fail.notes.map((n) => n.severity)).toEqual(['warn']);
  });

  it('flags an unparseable Ack as malformed and an unknown ack type as a warning', () => {
    expect(push.decode(frame(3, text('hello')), 's2c').malformed).toBe(true);
    expect(push.decode(frame(3, text('1 x 2')), 's2c').malformed).toBe(true);
    const odd = push.decode(frame(3, text('9 1 2')), 's2c');
    expect(odd.malformed).toBe(false);
    expect(odd.notes).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('ack_type 9') })]);
  });

  it('encodes a negative message id as two-complement hex and decodes it back', () => {
    const b = push.encode('Message', 's2c', { timestamp: '0', attempts: 0, message_id: '-2', body: '' });
    expect(toHex(b.subarray(18, 34))).toBe(toHex(text('fffffffffffffffe')));
    expect(push.decode(b, 's2c').value.message_id).toBe('-2');
  });

  it('flags a Message whose id is not hex, and keeps the text for the round trip', () => {
    const b = fx('26-message').slice();
    b[20] = 0x7a; // 'z'
    const f = push.decode(b, 's2c');
    expect(f.malformed).toBe(true);
    expect(f.value.message_id_hex).toBe('00z00045d964b802');
    expect(toHex(push.encode('Message', 's2c', f.value))).toBe(toHex(b));
  });

  it('decodes a lone magic followed by commands as the magic plus trailing bytes', () => {
    const f = push.decode(concatBytes([MAGIC, text('H\n')]), 'c2s');
    expect(f.message).toBe('Magic');
    expect(f.notes).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('trailing') })]);
  });

  it('never throws on random input, and keeps byte ranges nested', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom<Direction>('c2s', 's2c'), (b, d) => {
      const f = push.decode(b, d);
      expect(rangeViolations(f.tree)).toEqual([]);
      expect(push.peek(b, d).summary).toBe(f.summary);
    }), { numRuns: 2000 });
    // Random bytes behind plausible headers reach deeper code paths.
    const heads = [text('IDENTIFY\n'), text('PUB 1 2 3\n'), text('SUB '), fromHex('0000001000000000'), fromHex('0000002000000002'), fromHex('0000001000000003'), fromHex('0000000c00000001')];
    fc.assert(fc.property(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 60 }), (h, tail) => {
      const b = concatBytes([h, tail]);
      const d = push.guessDirection(b);
      const f = push.decode(b, d);
      expect(rangeViolations(f.tree)).toEqual([]);
      if (!f.malformed && !f.notes.some((n) => /trailing|UTF-8/.test(n.message))) {
        expect(toHex(push.encode(f.message, d, f.value))).toBe(toHex(b));
      }
    }), { numRuns: 2000 });
  });
});

describe('push encoding', () => {
  const fails = (message: string, d: Direction, doc: Doc, field: string): void => {
    expect(() => push.encode(message, d, doc), `${message} ${JSON.stringify(doc)}`).toThrow(EncodeError);
    expect(() => push.encode(message, d, doc)).toThrow(field);
  };

  it('derives the command word and the frame type from the message name', () => {
    expect(toHex(push.encode('SUB', 'c2s', { channel_id: '1030391111929' }))).toBe(toHex(text('SUB 1030391111929\n')));
    expect(toHex(push.encode('SUB', 'c2s', { channel_id: 5, crlf: true }))).toBe(toHex(text('SUB 5\r\n')));
    expect(toHex(push.encode('Response', 's2c', { response: 'OK' }))).toBe(toHex(fx('14-response-ok')));
    expect(toHex(push.encode('Error', 's2c', { error_code: 'E_BAD_PROTOCOL' }))).toBe(toHex(fx('19-error-bad-protocol')));
    expect(toHex(push.encode('Ack', 's2c', { ack_type: 2, client_id: '1030391111929', message_id: 300000000002 }))).toBe(toHex(fx('29-ack-offline')));
    expect(toHex(push.encode('Magic', 'c2s', {}))).toBe(toHex(MAGIC));
  });

  it('writes a negotiation Response object compactly, as Go does', () => {
    const v = push.decode(fx('17-response-negotiation'), 's2c').value;
    expect(typeof v.response).toBe('object');
    expect(toHex(push.encode('Response', 's2c', v))).toBe(toHex(fx('17-response-negotiation')));
  });

  it('lets the document override sizes to send deliberately broken PDUs', () => {
    const wrong = push.encode('Response', 's2c', { response: 'OK', size: 99 });
    expect(toHex(wrong.subarray(0, 4))).toBe('00000063');
    const pub = push.encode('PUB', 'c2s', { client_id: '1', channel_id: '2', message_id: '3', body: '6869', body_len: 7 });
    expect(toHex(pub)).toBe(toHex(concatBytes([text('PUB 1 2 3\n'), u32(7), text('hi')])));
    const id = push.encode('IDENTIFY', 'c2s', { identify: '{}', identify_len: 1 });
    expect(toHex(id)).toBe(toHex(concatBytes([text('IDENTIFY\n'), u32(1), text('{}')])));
  });

  it('throws EncodeError naming the field at fault', () => {
    fails('SUB', 'c2s', {}, 'push.channel_id');
    fails('SUB', 'c2s', { channel_id: 'abc' }, 'push.channel_id');
    fails('SUB', 'c2s', { channel_id: '9223372036854775808' }, 'push.channel_id');
    fails('SUB', 'c2s', { command: 'PUB', channel_id: '1' }, 'push.command');
    fails('PUB', 'c2s', { client_id: '1', channel_id: '2' }, 'push.message_id');
    fails('PUB', 'c2s', { client_id: '1', channel_id: '2', message_id: '3', body: 'xyz' }, 'push.body');
    fails('SUB', 'c2s', { line: 'PUB 1', channel_id: '1' }, 'push.line');
    fails('H', 'c2s', { line: 'H\nSUB 1' }, 'push.line');
    fails('Unknown', 'c2s', { command: 'SUB', line: 'SUB 1' }, 'push.command');
    fails('Unknown', 'c2s', {}, 'push.command');
    fails('Magic', 'c2s', { magic: 'V1' }, 'push.magic');
    fails('Magic', 'c2s', { magic: 'XXV1' }, 'push.magic'); // would not read back as a magic
    fails('SUB', 's2c', { channel_id: '1' }, 'not a s2c message');
    fails('Nope', 'c2s', {}, 'not a push message');
    fails('Response', 's2c', { frame_type: 1, response: 'OK' }, 'push.frame_type');
    fails('Response', 's2c', {}, 'push.response');
    fails('Unknown', 's2c', { frame_type: 2, body: '' }, 'push.frame_type');
    fails('Unknown', 's2c', { body: '' }, 'push.frame_type');
    fails('Error', 's2c', {}, 'push.error_code');
    fails('Error', 's2c', { error_code: 'E X' }, 'push.error_code');
    fails('Ack', 's2c', { ack_type: 1, client_id: 'x', message_id: '1' }, 'push.client_id');
    fails('Ack', 's2c', { client_id: '1', message_id: '1' }, 'push.ack_type');
    fails('Message', 's2c', { message_id_hex: 'abc' }, 'push.message_id_hex');
    fails('Message', 's2c', { message_id: '1', attempts: 70000 }, 'push.attempts');
  });
});

describe('push messages, catalog and templates', () => {
  it('lists every message of §5 with schema and template', () => {
    expect(push.messages.map((m) => m.name).sort()).toEqual(['Ack', 'CLS', 'Error', 'H', 'IDENTIFY', 'Magic', 'Message', 'NOP', 'PUB', 'Response', 'SUB', 'Unknown'].sort());
    for (const m of push.messages) {
      expect(m.schema.type, m.name).toBe('object');
      expect(m.description, m.name).toBeTruthy();
    }
  });

  it('encodes every template into a PDU that decodes cleanly as the same message', () => {
    for (const m of push.messages) {
      const dirs: Direction[] = m.direction === 'both' ? ['c2s', 's2c'] : [m.direction];
      for (const d of dirs) {
        const b = push.encode(m.name, d, m.template());
        const f = push.decode(b, d);
        expect(f.message, `${m.name} ${d}`).toBe(m.name);
        expect(f.notes, `${m.name} ${d}`).toEqual([]);
        expect(push.detect(b, d) || m.name === 'Unknown', `${m.name} ${d} detected`).toBe(true);
        expect(push.guessDirection(b), `${m.name} ${d}`).toBe(d);
      }
    }
  });

  it('has every §5.7 field in the catalog, once', () => {
    const abbrevs = push.catalog.map((c) => c.abbrev);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    for (const a of ['push.magic', 'push.magic_version', 'push.command', 'push.line', 'push.channel_id', 'push.client_id',
      'push.message_id', 'push.body_len', 'push.body', 'push.identify_len', 'push.identify', 'push.identify.', 'push.size',
      'push.frame_type', 'push.response', 'push.response.', 'push.error', 'push.error_code', 'push.error_desc', 'push.ack',
      'push.ack_type', 'push.timestamp', 'push.attempts', 'push.message_id_hex']) {
      expect(abbrevs, a).toContain(a);
    }
    expect(push.catalog.find((c) => c.abbrev === 'push.magic_version')?.generated).toBe(true);
    expect(push.catalog.find((c) => c.abbrev === 'push.identify.')?.dynamic).toBe(true);
    expect(push.catalog.find((c) => c.abbrev === 'push.frame_type')?.enum).toEqual({ 0: 'Response', 1: 'Error', 2: 'Message', 3: 'Ack' });
  });
});

describe('push peek', () => {
  it('costs well under a microsecond for typical PDUs', () => {
    const samples: Array<[Uint8Array, Direction]> = [
      [fx('26-message'), 's2c'], [fx('29-ack-offline'), 's2c'], [fx('14-response-ok'), 's2c'], [fx('08-sub'), 'c2s'], [fx('03-h'), 'c2s'], [fx('10-pub'), 'c2s'],
    ];
    const rounds = 20000;
    for (let i = 0; i < 2000; i++) for (const [b, d] of samples) push.peek(b, d); // warm up
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) for (const [b, d] of samples) push.peek(b, d);
    const perPeekUs = ((performance.now() - t0) * 1000) / (rounds * samples.length);
    // Generous bound for slow CI machines; typically a few hundred nanoseconds.
    expect(perPeekUs).toBeLessThan(3);
  });
});

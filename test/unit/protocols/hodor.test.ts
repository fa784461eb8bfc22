/**
 * hodor-specific behaviour (PROTOCOLS.md §2) beyond the golden fixtures: framing over real TCP chunking for every
 * generation, resynchronisation, maxPdu, detection against the other protocols, direction guessing, pairing,
 * encode selectors (generation, body format), encode errors and the composer's templates.
 */
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { StreamDeframer, deframeAll, type DeframedPdu } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE, type Direction } from '../../../shared/codec/protocol';
import { EncodeError } from '../../../shared/codec/schema';
import { flattenFields } from '../../../shared/codec/tree';
import { hodorProtocol as hodor } from '../../../shared/protocols/hodor/hodor.protocol';
import { JAVA_CLASS } from '../../../shared/protocols/hodor/classes';
import { fixtureProtocols, loadFixtures, type Fixture } from '../../support/fixtures';

const fixtures = loadFixtures('hodor');
const fx = (prefix: string): Fixture => {
  const f = fixtures.find((x) => x.file.startsWith(prefix));
  if (!f) throw new Error(`no fixture ${prefix}`);
  return f;
};
/** Complete, auto-detected PDUs (generations C and A). */
const autoValid = fixtures.filter((f) => f.roundTrip && !f.variant);

function cutAll(framer = hodor.framer('c2s'), chunks: Uint8Array[]): DeframedPdu[] {
  const d = new StreamDeframer(framer);
  const out: DeframedPdu[] = [];
  for (const c of chunks) d.push(c, out);
  return out;
}

describe('hodor framing', () => {
  const stream = concatBytes(autoValid.map((f) => f.bytes));

  it('cuts many PDUs (generations C and A mixed) from one chunk', () => {
    const { pdus, remainder } = deframeAll(hodor.framer('c2s'), stream);
    expect(remainder.length).toBe(0);
    expect(pdus.map((p) => toHex(p.bytes))).toEqual(autoValid.map((f) => toHex(f.bytes)));
    expect(pdus.some((p) => p.skipped)).toBe(false);
  });

  it('cuts the same PDUs when the stream is split at every byte boundary', () => {
    const expected = autoValid.map((f) => toHex(f.bytes));
    for (let at = 1; at < stream.length; at += 1) {
      const pdus = cutAll(hodor.framer('c2s'), [stream.subarray(0, at), stream.subarray(at)]);
      if (pdus.length !== expected.length || pdus.some((p, i) => toHex(p.bytes) !== expected[i])) {
        throw new Error(`split at ${at} cut ${pdus.length} PDUs`);
      }
    }
  });

  it('cuts PDUs fed one byte at a time', () => {
    const chunks = Array.from(stream, (b) => Uint8Array.of(b));
    expect(cutAll(hodor.framer('c2s'), chunks).map((p) => toHex(p.bytes))).toEqual(autoValid.map((f) => toHex(f.bytes)));
  });

  it('asks for more on a partial header or body and answers the PDU size when complete', () => {
    const f = fx('04').bytes;
    const framer = hodor.framer('c2s');
    for (let n = 0; n < f.length; n++) expect(framer.frame(f, 0, n)).toBe(NEED_MORE);
    expect(framer.frame(f, 0, f.length)).toBe(f.length);
  });

  it('resynchronises after garbage and reports the skipped bytes', () => {
    const garbage = utf8('GET / HTTP/1.1\r\n\r\n');
    const a = fx('02').bytes;
    const b = fx('11').bytes;
    const c = fx('25').bytes;
    const pdus = cutAll(hodor.framer('s2c'), [concatBytes([garbage, a, Uint8Array.of(0xf6, 0x01, 0x02), b, fromHex('00 00 30'), c])]);
    const kept = pdus.filter((p) => !p.skipped).map((p) => toHex(p.bytes));
    expect(kept).toEqual([toHex(a), toHex(b), toHex(c)]);
    const skipped = pdus.filter((p) => p.skipped);
    expect(skipped.map((p) => p.bytes.length)).toEqual([garbage.length, 3, 3]);
  });

  it('does not take a stray f6 66 for a header (strict plausibility)', () => {
    const framer = hodor.framer('c2s');
    // version 0, type 9, negative attachment length: each alone makes the position implausible.
    expect(framer.plausible!(fromHex('f6 66 00 00 00 00 00 00 00 01 00 02 00 00 00 00'), 0, 16)).toBe(false);
    expect(framer.plausible!(fromHex('f6 66 00 00 00 00 00 00 00 01 01 09 00 00 00 00'), 0, 16)).toBe(false);
    expect(framer.plausible!(fromHex('f6 66 00 00 00 00 00 00 00 01 01 02 ff ff ff ff'), 0, 16)).toBe(false);
    expect(framer.plausible!(fromHex('f6 66 00 00 00 00 00 00 00 01 01 02 00 00 00 05 41'), 0, 17)).toBe(false); // attachment not '{'
    expect(framer.plausible!(fx('01').bytes, 0, 35)).toBe(true);
    expect(framer.plausible!(fx('01').bytes, 0, 5)).toBe(true); // a prefix that may still become a header
  });

  it('honours maxPdu: a bogus huge length is INVALID, never buffered', () => {
    const huge = fromHex('f6 66 00 00 00 00 00 00 00 01 01 02 00 00 00 00 7f ff ff ff');
    expect(hodor.framer('c2s').frame(huge, 0, huge.length)).toBe(INVALID);
    const hugeAttachment = fromHex('f6 66 00 00 00 00 00 00 00 01 01 02 7f ff ff f0');
    expect(hodor.framer('c2s').frame(hugeAttachment, 0, hugeAttachment.length)).toBe(INVALID);
    const f = fx('02').bytes;
    expect(hodor.framer('s2c', { maxPdu: f.length - 1 }).frame(f, 0, f.length)).toBe(INVALID);
    expect(hodor.framer('s2c', { maxPdu: f.length }).frame(f, 0, f.length)).toBe(f.length);
    const negative = fromHex('00 00 30 39 00 00 00 01 02 00 00 00 00 ff ff ff ff');
    expect(hodor.framer('c2s').frame(negative, 0, negative.length)).toBe(INVALID);
  });

  it('frames generations B and doc only through their variant', () => {
    for (const f of fixtures.filter((x) => x.variant)) {
      const stream = concatBytes([f.bytes, f.bytes]);
      const { pdus, remainder } = deframeAll(hodor.framer(f.direction, { variant: f.variant }), stream);
      expect(remainder.length).toBe(0);
      expect(pdus.map((p) => p.bytes.length)).toEqual([f.bytes.length, f.bytes.length]);
      expect(hodor.framer(f.direction).frame(f.bytes, 0, f.bytes.length)).not.toBe(f.bytes.length);
    }
  });
});

describe('hodor detection', () => {
  it('recognises generations C and A (§2.6), types 0…4 only', () => {
    for (const f of autoValid) expect(hodor.detect(f.bytes), f.file).toBe(f.message !== 'Unknown');
  });

  it('rejects C headers with version 0 or type > 4, and A with another version', () => {
    expect(hodor.detect(fromHex('f6 66 00 00 00 00 00 00 00 01 00 02 00 00 00 00'))).toBe(false);
    expect(hodor.detect(fromHex('f6 66 00 00 00 00 00 00 00 01 01 05 00 00 00 00'))).toBe(false);
    expect(hodor.detect(fromHex('00 00 30 39 00 00 00 02 02 00 00 00 00'))).toBe(false);
    expect(hodor.detect(fromHex('f6 66 00'))).toBe(false);
  });

  it('leaves generation B and the document layout to Decode As', () => {
    for (const f of fixtures.filter((x) => x.variant)) expect(hodor.detect(f.bytes), f.file).toBe(false);
  });

  it('does not claim the first bytes of the other protocols (§7)', () => {
    const others = [
      fromHex('01 00 09 00 00 00 ea 03 00 00 01 00 00 00 00 00 00 00 00 00'), // flyer ShakeHand
      fromHex('00 00 00 0c 00 07 00 01 00 01 00 00'), // tt heartbeat
      utf8('  V1'), // push client magic
      fromHex('00 00 00 20 00 00 00 1c 05 73 72 01'), // txlcn
      utf8('GET /ping HTTP/1.1\r\n\r\n'),
      utf8('HTTP/1.1 200 OK\r\n\r\n'),
      fromHex('00 00 00 06 00 00 00 00 4f 4b'), // push broker frame
    ];
    for (const b of others) expect(hodor.detect(b), toHex(b)).toBe(false);
    // Every other protocol's golden PDUs (folders that are not in the fixture format are skipped).
    for (const id of fixtureProtocols().filter((p) => p !== 'hodor')) {
      let others: Fixture[] = [];
      try { others = loadFixtures(id); } catch { continue; }
      for (const f of others) if (f.bytes) expect(hodor.detect(f.bytes), `${id}/${f.file}`).toBe(false);
    }
  });
});

describe('hodor direction guessing (§2.3)', () => {
  it('guesses every auto-detected fixture right', () => {
    for (const f of fixtures.filter((x) => !x.variant)) expect(hodor.guessDirection(f.bytes), f.file).toBe(f.direction);
  });

  it('uses the top-level JSON code member, not a nested one', () => {
    const head = (n: number): string => `f6 66 00 00 00 00 00 00 00 01 01 02 00 00 00 00 00 00 00 ${n.toString(16).padStart(2, '0')}`;
    const nested = '{"requestId":1,"data":{"code":0}}';
    expect(hodor.guessDirection(concatBytes([fromHex(head(nested.length)), utf8(nested)]))).toBe('c2s');
    const top = '{"code":0,"msg":"success"}';
    expect(hodor.guessDirection(concatBytes([fromHex(head(top.length)), utf8(top)]))).toBe('s2c');
  });

  it('does not take a log request with requestId 1 for a protostuff response', () => {
    // requestId 1, groupName, jobName, offset: field 2 is a string as in a wrapper, but field 3 is no dynamic object.
    const body = fromHex('08 01 12 01 67 1a 01 6a 20 00');
    const pdu = concatBytes([fromHex('f6 66 00 00 00 00 00 00 00 01 01 03 00 00 00 00 00 00 00 0a'), body]);
    expect(hodor.guessDirection(pdu)).toBe('c2s');
  });
});

describe('hodor pairing (§2.3)', () => {
  const pair = (prefix: string): ReturnType<typeof hodor.peek>['pair'] => {
    const f = fx(prefix);
    return hodor.peek(f.bytes, f.direction, { variant: f.variant }).pair;
  };

  it('keys generation C on id and type, both directions', () => {
    expect(pair('01')).toEqual({ role: 'request', key: '9:2' });
    expect(pair('02')).toEqual({ role: 'response', key: '9:2' });
  });

  it('keeps a JobExec request open after RUNNING, closes it on the final status (JSON and protostuff)', () => {
    expect(pair('07')).toEqual({ role: 'request', key: '1001:1' });
    expect(pair('09')).toEqual({ role: 'response', key: '1001:1', more: true });
    expect(pair('10')).toEqual({ role: 'response', key: '1001:1' });
    expect(pair('11')).toEqual({ role: 'response', key: '1001:1', more: true });
    expect(pair('12')).toEqual({ role: 'response', key: '1001:1' });
    expect(pair('13')).toEqual({ role: 'response', key: '1001:1' });
  });

  it('keys generation A on body.requestId, else first-in-first-out per type', () => {
    expect(pair('24')).toEqual({ role: 'request', key: '7' });
    expect(pair('25')).toEqual({ role: 'response', key: '7' });
    const noId = hodor.encode('HeartbeatRequest', 'c2s', { generation: 'A', body: '' });
    expect(hodor.peek(noId, 'c2s').pair).toEqual({ role: 'request', fifo: 'HeartbeatResponse' });
    expect(pair('27')).toEqual({ role: 'response', key: '12' });
  });

  it('keys generation B on id and type', () => {
    expect(pair('26')).toEqual({ role: 'request', key: '12:3' });
  });

  it('marks a header too short to read as malformed with no pairing role', () => {
    const p = hodor.peek(fromHex('f6 66 00 00'), 'c2s');
    expect(p.malformed).toBe(true);
    expect(p.pair.role).toBe('none');
  });
});

describe('hodor decoding', () => {
  it('names messages by type and direction', () => {
    const f = fx('01');
    expect(hodor.decode(f.bytes, 'c2s').message).toBe('FetchJobStatusRequest');
    expect(hodor.decode(f.bytes, 's2c').message).toBe('FetchJobStatusResponse');
  });

  it('shows the dynamic object\'s class as the node label and leaves field 127 out of the fields', () => {
    const frame = hodor.decode(fx('11').bytes, 's2c');
    const body = frame.tree[0].children!.find((n) => n.abbrev === 'hodor.body')!;
    const data = body.children!.find((n) => n.abbrev === 'hodor.body.data')!;
    expect(data.label).toBe('data (JobExecuteResponse)');
    expect(Object.keys(flattenFields(frame.tree)).some((k) => k.includes('@class') || k.endsWith('.127'))).toBe(false);
    expect((frame.value.body as { data: Record<string, unknown> }).data['@class']).toBe(JAVA_CLASS.JobExecuteResponse);
  });

  it('keeps the failure wrapper of a heartbeat free of error notes', () => {
    for (const p of ['05', '06']) expect(hodor.decode(fx(p).bytes, 's2c').malformed).toBe(false);
  });

  it('never throws on truncations or random bytes', () => {
    for (const f of fixtures) {
      for (let n = 0; n <= f.bytes.length; n++) {
        const cut = f.bytes.subarray(0, n);
        for (const dir of ['c2s', 's2c'] as Direction[]) {
          const frame = hodor.decode(cut, dir, { variant: f.variant });
          expect(frame.summary).toBe(hodor.peek(cut, dir, { variant: f.variant }).summary);
          if (n < f.bytes.length && f.roundTrip) expect(frame.malformed, `${f.file} cut at ${n}`).toBe(true);
        }
      }
    }
    let seed = 7;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed & 0xff; };
    for (let i = 0; i < 500; i++) {
      const b = Uint8Array.from({ length: 1 + (i % 64) }, rand);
      if (i % 3 === 0) { b[0] = 0xf6; if (b.length > 1) b[1] = 0x66; }
      for (const variant of [undefined, 'A', 'B', 'doc']) {
        expect(() => hodor.decode(b, 'c2s', { variant })).not.toThrow();
        expect(() => hodor.peek(b, 's2c', { variant })).not.toThrow();
        expect(() => hodor.guessDirection(b)).not.toThrow();
      }
    }
  });

  it('reports trailing bytes after the body', () => {
    const f = fx('01').bytes;
    const frame = hodor.decode(concatBytes([f, Uint8Array.of(1, 2)]), 'c2s');
    expect(frame.notes.some((n) => n.severity === 'warn' && n.message.includes('trailing'))).toBe(true);
  });

  it('warns on a magic that is not f6 66 when decoding as generation C', () => {
    const b = fx('26').bytes; // a generation B PDU read as C
    const frame = hodor.decode(b, 'c2s', { variant: 'C' });
    expect(frame.notes.some((n) => n.message.includes('magic'))).toBe(true);
  });

  it('keeps an explicit "{}" attachment as text so it round-trips', () => {
    const pdu = fromHex('f6 66 00 00 00 00 00 00 00 01 01 02 00 00 00 02 7b 7d 00 00 00 00');
    const frame = hodor.decode(pdu, 'c2s');
    expect(frame.value.attachment).toBe('{}');
    expect(toHex(hodor.encode(frame.message, 'c2s', frame.value))).toBe(toHex(pdu));
  });
});

describe('hodor encoding', () => {
  const docOf = (prefix: string): ReturnType<typeof hodor.decode> => {
    const f = fx(prefix);
    return hodor.decode(f.bytes, f.direction, { variant: f.variant });
  };

  it('derives type from the message name and writes generation C by default', () => {
    const out = hodor.encode('FetchJobStatusRequest', 'c2s', { id: '9', body: { requestId: 9 } });
    expect(toHex(out)).toBe(toHex(fx('01').bytes));
  });

  it('writes JSON members in class declaration order (Gson), whatever order the document has', () => {
    const out = hodor.encode('FetchJobStatusResponse', 's2c', { id: '9', body: { data: { status: 'RUNNING', requestId: 9 }, msg: 'success', code: 0 } });
    expect(toHex(out)).toBe(toHex(fx('02').bytes));
  });

  it('writes protostuff when body_format says so (the JSON view with @class)', () => {
    const f = fx('11');
    const frame = docOf('11');
    expect(frame.value.body_format).toBe('protostuff');
    expect(bytesEqual(hodor.encode('JobExecResponse', 's2c', frame.value), f.bytes)).toBe(true);
    // The same view as JSON (no @class in JSON bodies) gives a JSON body.
    const { body } = frame.value as { body: { data: Record<string, unknown> } };
    const { '@class': _cls, ...data } = body.data;
    const json = hodor.encode('JobExecResponse', 's2c', { ...frame.value, body_format: undefined, body: { ...body, data } });
    expect(hodor.decode(json, 's2c').value.body_format).toBeUndefined();
    expect(hodor.decode(json, 's2c').notes).toEqual([]);
  });

  it('encodes the older layouts on request (variant or the document\'s generation)', () => {
    const doc = { body: { requestId: 7 }, attachment: { schedulerName: 'hodor-scheduler-192.168.1.10:8081' } };
    expect(toHex(hodor.encode('FetchJobStatusRequest', 'c2s', { ...doc, generation: 'A' }))).toBe(toHex(fx('24').bytes));
    expect(toHex(hodor.encode('FetchJobStatusRequest', 'c2s', doc, { variant: 'A' }))).toBe(toHex(fx('24').bytes));
    const b = docOf('26');
    expect(toHex(hodor.encode(b.message, 'c2s', b.value))).toBe(toHex(fx('26').bytes)); // generation: 'B' in the doc
    const d = docOf('27');
    expect(d.value.generation).toBe('doc');
    expect(toHex(hodor.encode(d.message, 's2c', d.value))).toBe(toHex(fx('27').bytes));
  });

  it('omits an empty attachment', () => {
    const out = hodor.encode('FetchJobStatusRequest', 'c2s', { id: '9', attachment: {}, body: { requestId: 9 } });
    expect(toHex(out)).toBe(toHex(fx('01').bytes));
  });

  it('accepts hex, JSON text and an empty body', () => {
    expect(toHex(hodor.encode('HeartbeatRequest', 'c2s', { id: '5', body: '0805' }))).toBe(toHex(fx('03').bytes));
    expect(toHex(hodor.encode('FetchJobStatusRequest', 'c2s', { id: '9', body: '{"requestId":9}' }))).toBe(toHex(fx('01').bytes));
    expect(toHex(hodor.encode('HeartbeatRequest', 'c2s', { id: '6', body: '' }))).toBe(toHex(fx('33').bytes));
  });

  it('lets the document override derived lengths (deliberately broken frames)', () => {
    const out = hodor.encode('FetchJobStatusRequest', 'c2s', { id: '9', body: { requestId: 9 }, length: 99 });
    expect(toHex(out.subarray(16, 20))).toBe('00000063');
  });

  it('throws EncodeError naming the field at fault', () => {
    const bad: [string, Direction, Record<string, unknown>, RegExp, Record<string, unknown>?][] = [
      ['NoSuchMessage', 'c2s', {}, /unknown message/],
      ['FetchJobStatusRequest', 'c2s', { type: 3 }, /hodor\.type/],
      ['FetchJobStatusRequest', 's2c', {}, /sent c2s/],
      ['Unknown', 'c2s', {}, /hodor\.type: required/],
      ['Unknown', 'c2s', { type: 2 }, /is FetchJobStatusRequest/],
      ['HeartbeatRequest', 'c2s', { body: 'zz' }, /hodor\.body/],
      ['HeartbeatRequest', 'c2s', { body: [1, 2] }, /hodor\.body/],
      ['HeartbeatRequest', 'c2s', { body: { requestId: 1, bogus: 2 }, body_format: 'protostuff' }, /hodor\.body\.bogus/],
      ['HeartbeatRequest', 'c2s', { body: { requestId: 1 }, body_format: 'xml' }, /body_format/],
      ['Unknown', 'c2s', { type: 9, body: { a: 1 }, body_format: 'protostuff' }, /no protostuff class/],
      ['JobExecResponse', 's2c', { body: { code: 0, data: { requestId: 1 } }, body_format: 'protostuff' }, /@class/],
      ['HeartbeatRequest', 'c2s', { id: '1', generation: 'A' }, /hodor\.id/],
      ['HeartbeatRequest', 'c2s', { generation: 'Z' }, /hodor\.generation/],
      ['HeartbeatRequest', 'c2s', { generation: 'A' }, /variant asked is B/, { variant: 'B' }],
      ['HeartbeatRequest', 'c2s', { attachment: { a: '1' } }, /no attachment/, { variant: 'doc' }],
      ['HeartbeatRequest', 'c2s', { id: 'x' }, /hodor\.id/],
      ['HeartbeatRequest', 'c2s', { version: 300 }, /hodor\.version/],
      ['HeartbeatRequest', 'c2s', { attachment: 5 }, /hodor\.attachment/],
    ];
    for (const [message, dir, doc, re, opts] of bad) {
      let err: unknown;
      try { hodor.encode(message, dir, doc, opts); } catch (e) { err = e; }
      expect(err, `${message} ${JSON.stringify(doc)}`).toBeInstanceOf(EncodeError);
      expect((err as Error).message).toMatch(re);
    }
  });
});

describe('hodor messages and templates', () => {
  it('lists every message of §2.3 with its reply, schema and template', () => {
    const names = hodor.messages.map((m) => m.name);
    expect(names).toEqual([
      'HeartbeatRequest', 'HeartbeatResponse', 'JobExecRequest', 'JobExecResponse', 'FetchJobStatusRequest',
      'FetchJobStatusResponse', 'FetchJobLogRequest', 'FetchJobLogResponse', 'KillJobRequest', 'KillJobResponse', 'Unknown',
    ]);
    for (const m of hodor.messages) {
      expect(m.schema.type).toBe('object');
      if (m.direction === 'c2s') expect(m.replies).toEqual([m.name.replace(/Request$/, 'Response')]);
    }
  });

  it('templates encode into clean PDUs that decode back to themselves', () => {
    for (const m of hodor.messages) {
      const dir: Direction = m.direction === 's2c' ? 's2c' : 'c2s';
      const t = m.template();
      const pdu = hodor.encode(m.name, dir, t);
      const frame = hodor.decode(pdu, dir);
      expect(frame.message, m.name).toBe(m.name);
      expect(frame.notes, m.name).toEqual([]);
      expect(frame.value, m.name).toEqual(t);
      expect(hodor.detect(pdu), m.name).toBe(m.name !== 'Unknown');
      expect(hodor.guessDirection(pdu), m.name).toBe(dir);
      expect(hodor.peek(pdu, dir).summary).toBe(frame.summary);
      const { pdus } = deframeAll(hodor.framer(dir), pdu);
      expect(pdus.length).toBe(1);
    }
  });

  it('uses the real Java class names of dromara/hodor for dynamic objects', () => {
    const resp = hodor.messages.find((m) => m.name === 'JobExecResponse')!.template() as { body: { data: Record<string, unknown> } };
    expect(resp.body.data['@class']).toBe('org.dromara.hodor.remoting.api.message.response.JobExecuteResponse');
  });

  it('catalog: every §2.7 field, dynamic JSON bases, no duplicates', () => {
    const abbrevs = hodor.catalog.map((c) => c.abbrev);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    for (const a of [
      'hodor.generation', 'hodor.magic', 'hodor.id', 'hodor.version', 'hodor.type', 'hodor.attachment_length',
      'hodor.attachment', 'hodor.attachment.schedulerName', 'hodor.attachment.timeType', 'hodor.attachment.rootJobKey',
      'hodor.attachment.stage', 'hodor.length', 'hodor.body', 'hodor.body_format', 'hodor.body.requestId', 'hodor.body.jobName',
      'hodor.body.timeout', 'hodor.body.code', 'hodor.body.msg', 'hodor.body.data.requestId', 'hodor.body.data.status',
      'hodor.body.data.jobKey.jobName', 'hodor.body.data.data', 'hodor.body.data.offset', 'hodor.body.data.length',
    ]) expect(abbrevs, a).toContain(a);
    expect(hodor.catalog.filter((c) => c.dynamic).map((c) => c.abbrev)).toEqual(['hodor.attachment.', 'hodor.body.']);
    expect(hodor.variants?.map((v) => v.id)).toEqual(['C', 'A', 'B', 'doc']);
  });
});

/**
 * flyer-specific behaviour (PROTOCOLS.md §1) beyond the golden fixtures: stream framing and resynchronisation,
 * maxPdu, detection, direction guessing, the DOC ≠ WIRE forms on encode, encode errors, the GBK option, pairing
 * keys and templates.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { StreamDeframer, deframeAll, type DeframedPdu } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE, type Direction } from '../../../shared/codec/protocol';
import { EncodeError } from '../../../shared/codec/schema';
import { flattenFields } from '../../../shared/codec/tree';
import { flyerProtocol as flyer } from '../../../shared/protocols/flyer/flyer.protocol';
import { fixtureProtocols, loadFixtures } from '../../support/fixtures';

const fixtures = loadFixtures('flyer');
const valid = fixtures.filter((f) => f.roundTrip);
/** PDUs a real peer sends: start 1, a known id, no fallback form. */
const clean = valid.filter((f) => f.notes.length === 0 && f.message !== 'Unknown');

const shakeHand = fromHex('0100 09000000 ea030000 0100 0000000000000000 0400 64656d6f 0000 00');
const heartbeatResponse = fromHex('0100 05000000 ed030000 0100 0000000000000000 01 07000000');

function hexes(pdus: DeframedPdu[]): string[] {
  return pdus.map((p) => (p.skipped ? `skipped:${toHex(p.bytes)}` : toHex(p.bytes)));
}

describe('flyer framing', () => {
  const stream = concatBytes(valid.map((f) => f.bytes));
  const expected = valid.map((f) => toHex(f.bytes));

  it('cuts many PDUs from one chunk', () => {
    const { pdus, remainder } = deframeAll(flyer.framer('c2s'), stream);
    expect(hexes(pdus)).toEqual(expected);
    expect(remainder.length).toBe(0);
  });

  it('gives the same PDUs when the stream is split at every byte boundary', () => {
    for (let at = 0; at <= stream.length; at++) {
      const d = new StreamDeframer(flyer.framer('c2s'));
      const out: DeframedPdu[] = [];
      d.push(stream.subarray(0, at), out);
      d.push(stream.subarray(at), out);
      expect(hexes(out), `split at ${at}`).toEqual(expected);
      expect(d.buffered).toBe(0);
    }
  });

  it('gives the same PDUs fed one byte at a time and in random chunks', () => {
    const d = new StreamDeframer(flyer.framer('s2c'));
    const out: DeframedPdu[] = [];
    for (let i = 0; i < stream.length; i++) d.push(stream.subarray(i, i + 1), out);
    expect(hexes(out)).toEqual(expected);

    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 200 }), (sizes) => {
      const dd = new StreamDeframer(flyer.framer('c2s'));
      const got: DeframedPdu[] = [];
      let at = 0;
      for (let i = 0; at < stream.length; i++) {
        const n = sizes[i % sizes.length];
        dd.push(stream.subarray(at, at + n), got);
        at += n;
      }
      expect(hexes(got)).toEqual(expected);
    }));
  });

  it('waits for the header and the body', () => {
    const f = flyer.framer('c2s');
    expect(f.frame(shakeHand, 0, 0)).toBe(NEED_MORE);
    expect(f.frame(shakeHand, 0, 19)).toBe(NEED_MORE);
    expect(f.frame(shakeHand, 0, 28)).toBe(NEED_MORE);
    expect(f.frame(shakeHand, 0, 29)).toBe(29);
  });

  it('still frames a PDU with one odd header field (start, unknown id or version), as real readers do', () => {
    const f = flyer.framer('c2s');
    const odd = (patch: (b: Uint8Array) => void): Uint8Array => { const b = shakeHand.slice(); patch(b); return b; };
    expect(f.frame(odd((b) => { b[0] = 0; b[1] = 1; }), 0, 29)).toBe(29);
    expect(f.frame(odd((b) => { b[6] = 0xfc; }), 0, 29)).toBe(29);
    expect(f.frame(odd((b) => { b[10] = 2; }), 0, 29)).toBe(29);
    expect(f.frame(odd((b) => { b[0] = 0; b[1] = 1; b[10] = 2; }), 0, 29)).toBe(INVALID);
  });

  it('resynchronises after garbage on the next header passing §1.5', () => {
    const garbage = utf8('GET / HTTP/1.1\r\n\r\n');
    const data = concatBytes([garbage, shakeHand, heartbeatResponse]);
    const { pdus } = deframeAll(flyer.framer('c2s'), data);
    expect(hexes(pdus)).toEqual([`skipped:${toHex(garbage)}`, toHex(shakeHand), toHex(heartbeatResponse)]);
  });

  it('resynchronises when the capture starts in the middle of a PDU', () => {
    const data = concatBytes([shakeHand.subarray(7), heartbeatResponse, shakeHand]);
    const { pdus } = deframeAll(flyer.framer('c2s'), data);
    expect(hexes(pdus)).toEqual([`skipped:${toHex(shakeHand.subarray(7))}`, toHex(heartbeatResponse), toHex(shakeHand)]);
  });

  it('plausible() is the strict §1.5 test, judged on whatever prefix is present', () => {
    const f = flyer.framer('c2s');
    for (let n = 1; n <= 29; n++) expect(f.plausible!(shakeHand, 0, n), `prefix ${n}`).toBe(true);
    const bad = (i: number, v: number): Uint8Array => { const b = shakeHand.slice(); b[i] = v; return b; };
    expect(f.plausible!(bad(0, 0), 0, 29)).toBe(false); // start
    expect(f.plausible!(bad(1, 1), 0, 29)).toBe(false);
    expect(f.plausible!(bad(5, 0x02), 0, 29)).toBe(false); // length > 16 MiB
    expect(f.plausible!(bad(6, 0xf6), 0, 29)).toBe(false); // protocol 1014
    expect(f.plausible!(bad(6, 0xe7), 0, 29)).toBe(false); // protocol 999
    expect(f.plausible!(bad(10, 2), 0, 29)).toBe(false); // version
    expect(f.plausible!(fromHex('0100ffffffff'), 0, 6)).toBe(false);
  });

  it('honours maxPdu: a bogus huge length is INVALID as soon as it is seen, nothing is buffered for it', () => {
    const huge = fromHex('0100 ffffffff ea030000 0100 0000000000000000');
    expect(flyer.framer('c2s').frame(huge, 0, 6)).toBe(INVALID);
    expect(flyer.framer('c2s').frame(huge, 0, huge.length)).toBe(INVALID);
    const small = flyer.framer('c2s', { maxPdu: 28 });
    expect(small.frame(shakeHand, 0, 29)).toBe(INVALID);
    expect(small.plausible!(shakeHand, 0, 29)).toBe(false);
    expect(flyer.framer('c2s', { maxPdu: 29 }).frame(shakeHand, 0, 29)).toBe(29);
    const d = new StreamDeframer(flyer.framer('c2s', { maxPdu: 64 }));
    const out = d.push(concatBytes([fromHex('0100 00010000 ee030000 0100 0000000000000000'), shakeHand]));
    expect(out.at(-1)!.skipped).toBeUndefined();
    expect(toHex(out.at(-1)!.bytes)).toBe(toHex(shakeHand));
    expect(out.slice(0, -1).every((p) => p.skipped)).toBe(true);
  });
});

describe('flyer detection and direction', () => {
  it('detects every clean fixture and the worked examples', () => {
    for (const f of clean) expect(flyer.detect(f.bytes), f.file).toBe(true);
    expect(flyer.detect(shakeHand)).toBe(true);
    expect(flyer.detect(heartbeatResponse.subarray(0, 12))).toBe(true);
  });

  it('does not detect odd headers, short buffers or other protocols', () => {
    const others = [
      'f66600000000000000090102000000000000000f7b22726571756573744964223a397d', // hodor C
      '0000000c0007000100010000', // tt Heartbeat
      '00000014000300030001000000000004313030310000', // tt MsgReadAck
      '000000dd000000d9057372010033636f6d2e636f64696e676170692e74782e', // txlcn
      '0000002000000003322031303330333931313131393239203330303030303030303030', // push Ack
      '2020563100000000', // push client magic
      toHex(utf8('GET /jobs HTTP/1.1\r\nHost: x\r\n\r\n')),
      toHex(utf8('HTTP/1.1 200 OK\r\n\r\n')),
    ].map((h) => fromHex(h));
    for (const id of fixtureProtocols().filter((p) => p !== 'flyer')) {
      for (const f of loadFixtures(id)) others.push(f.bytes);
    }
    for (const b of others) expect(flyer.detect(b), toHex(b.subarray(0, 16))).toBe(false);
    expect(flyer.detect(shakeHand.subarray(0, 11))).toBe(false);
    expect(flyer.detect(fixtures.find((f) => f.file.startsWith('23-'))!.bytes)).toBe(false); // start 00 01
    expect(flyer.detect(fixtures.find((f) => f.file.startsWith('22-'))!.bytes)).toBe(false); // id 1020
    expect(flyer.ports).toEqual([20180]);
  });

  it('guesses the direction from the protocol id (§1.3)', () => {
    const withId = (id: number): Uint8Array => { const b = shakeHand.slice(); new DataView(b.buffer).setUint32(6, id, true); return b; };
    const c2s = [1000, 1002, 1004, 1007, 1008, 1011, 1012];
    for (let id = 1000; id <= 1013; id++) expect(flyer.guessDirection(withId(id)), String(id)).toBe(c2s.includes(id) ? 'c2s' : 's2c');
    for (const f of valid) expect(flyer.guessDirection(f.bytes), f.file).toBe(f.direction);
  });
});

describe('flyer pairing and peek', () => {
  it('keys a response to its request: id + 1 and the echoed packet id', () => {
    const peek = (file: string) => { const f = fixtures.find((x) => x.file.startsWith(file))!; return flyer.peek(f.bytes, f.direction).pair; };
    // The response's id and the packet id in one number (no string per frame), exact below 2^49.
    const key = (response: number, packetId: number) => packetId * 16 + (response - 1000);
    expect(peek('01-')).toEqual({ role: 'request', key: key(1001, 2725371800012) });
    expect(peek('02-')).toEqual({ role: 'response', key: key(1001, 2725371800012) });
    expect(peek('03-')).toEqual({ role: 'request', key: key(1003, 0) });
    expect(peek('04-')).toEqual({ role: 'response', key: key(1003, 0) });
    // Heartbeats share packet id 0: one key, paired first-in-first-out.
    expect(peek('05-')).toEqual({ role: 'request', key: key(1005, 0) });
    expect(peek('07-')).toEqual({ role: 'response', key: key(1005, 0) });
    expect(peek('08-')).toEqual({ role: 'request', key: key(1007, 58213) });
    expect(peek('09-')).toEqual({ role: 'response', key: key(1007, 58213) });
    expect(peek('11-')).toEqual({ role: 'request', key: key(1009, 58213) });
    expect(peek('15-')).toEqual({ role: 'response', key: key(1009, 58213) });
    expect(peek('16-')).toEqual({ role: 'request', key: key(1011, 58213) });
    expect(peek('18-')).toEqual({ role: 'response', key: key(1011, 58213) });
    expect(peek('20-')).toEqual({ role: 'request', key: key(1013, 58213) });
    expect(peek('21-')).toEqual({ role: 'response', key: key(1013, 58213) });
    expect(peek('22-')).toEqual({ role: 'none' });
  });

  it('keys a packet id of 2^49 or more by text, exactly', () => {
    const big = (2n ** 63n + 5n).toString();
    const request = flyer.encode('ExecuteJob', 's2c', { packet_id: big, jobBeanId: 'j', paramData: '' });
    const response = flyer.encode('ExecuteJobResponse', 'c2s', { packet_id: big, jobBeanId: 'j', result: 0 });
    expect(flyer.peek(request, 's2c').pair).toEqual({ role: 'request', key: `1007:${big}` });
    expect(flyer.peek(response, 'c2s').pair).toEqual({ role: 'response', key: `1007:${big}` });
    const edge = (id: bigint) => flyer.peek(flyer.encode('ExecuteJob', 's2c', { packet_id: id.toString(), jobBeanId: 'j', paramData: '' }), 's2c').pair.key;
    expect(edge(2n ** 49n - 1n)).toBe(Number(2n ** 49n - 1n) * 16 + 7);
    expect(edge(2n ** 49n)).toBe(`1007:${2n ** 49n}`);
  });

  it('summarises without a tree, the same way decode does', () => {
    const f = (file: string) => fixtures.find((x) => x.file.startsWith(file))!;
    const s = (file: string) => flyer.peek(f(file).bytes, f(file).direction, { charset: f(file).charset }).summary;
    expect(s('03-')).toBe('ShakeHand appCode=demo vhost=""');
    expect(s('06-')).toBe('Heartbeat appCode=demo');
    expect(s('07-')).toBe('HeartbeatResponse serverVersion=7');
    expect(s('08-')).toBe('ExecuteJob packet_id=58213 jobBeanId=demoJob paramData={"date":"2024-01-01"}');
    expect(s('14-')).toBe('ReportJobResult packet_id=58213 jobBeanId=demoJob result=3');
    expect(s('19-')).toBe('CancelJobResponse packet_id=58213 jobBeanId=demoJob result=1');
    expect(s('22-')).toBe('Unknown protocol=1020 packet_id=42 length=3');
    expect(s('27-')).toBe('ExecuteJob packet_id=58213 jobBeanId=reportJob paramData=执行成功');
    expect(flyer.peek(shakeHand.subarray(0, 12), 'c2s')).toMatchObject({ message: 'ShakeHand', malformed: true });
    expect(flyer.peek(new Uint8Array(0), 'c2s')).toMatchObject({ message: 'Unknown', malformed: true });
  });

  it('peeks fast (well under a microsecond for a typical PDU)', () => {
    for (let i = 0; i < 20000; i++) flyer.peek(shakeHand, 'c2s');
    const n = 100000;
    const t = performance.now();
    for (let i = 0; i < n; i++) flyer.peek(shakeHand, 'c2s');
    const ns = ((performance.now() - t) * 1e6) / n;
    expect(ns).toBeLessThan(5000); // loose bound for slow CI; typically ~300 ns
  });
});

describe('flyer encode', () => {
  it('derives protocol, start, version and lengths; packet id as number or decimal string', () => {
    const a = flyer.encode('ShakeHand', 'c2s', { appCode: 'demo', vhost: '', req: 0, packet_id: 0 });
    expect(toHex(a)).toBe(toHex(shakeHand));
    const b = flyer.encode('ShakeHand', 'c2s', { appCode: 'demo', packet_id: '0' });
    expect(toHex(b)).toBe(toHex(shakeHand)); // vhost defaults to "", req to 0
    const big = flyer.encode('PullTopology', 'c2s', { packet_id: '18446744073709551615' });
    expect(flyer.decode(big, 'c2s').value.packet_id).toBe('18446744073709551615');
  });

  it('encodes the real forms by default and the document/client forms only on request', () => {
    const real = flyer.encode('Heartbeat', 'c2s', { appCode: 'demo' });
    expect(toHex(real)).toBe('010009000000ec03000001000000000000000000040064656d6f000000');
    const doc = flyer.encode('Heartbeat', 'c2s', { appCode: 'demo', req: 0, form: 'document' });
    expect(toHex(doc)).toBe('010007000000ec03000001000000000000000000040064656d6f00');
    const back = flyer.decode(doc, 'c2s');
    expect(back.value).toEqual({ start: 1, protocol: 1004, version: 1, packet_id: '0', appCode: 'demo', req: 0, form: 'document' });
    expect(back.notes).toEqual([expect.objectContaining({ severity: 'warn' })]);

    expect(toHex(flyer.encode('CancelJob', 's2c', { packet_id: 7, jobBeanId: 'j' }))).toBe('010003000000f2030000010007000000000000000100' + '6a');
    expect(toHex(flyer.encode('CancelJob', 's2c', { packet_id: 7, vhost: 'v', jobBeanId: 'j', form: 'client' })))
      .toBe('010006000000f20300000100070000000000000001007601006a');
    expect(toHex(flyer.encode('CancelJobResponse', 'c2s', { packet_id: 7, vhost: 'v', jobBeanId: 'j', result: 0, form: 'client' })))
      .toBe('010007000000f30300000100070000000000000001007601006a00');
  });

  it('does not mistake a truncated body for a fallback form', () => {
    // A Heartbeat announcing 9 body bytes whose first 7 happen to read as appCode, req.
    const cut = fromHex('010009000000ec03000001000000000000000000040064656d6f00');
    const d = flyer.decode(cut, 'c2s');
    expect(d.value.form).toBeUndefined();
    expect(d.malformed).toBe(true);
  });

  it('keeps a wire value that disagrees, for deliberately broken frames', () => {
    const bad = flyer.encode('ShakeHand', 'c2s', { appCode: 'demo', length: 100, appCode_len: 9 });
    expect(toHex(bad.subarray(0, 6))).toBe('010064000000');
    expect(toHex(bad.subarray(20, 22))).toBe('0900');
  });

  it('throws EncodeError naming the field at fault', () => {
    const err = (message: string, value: Record<string, unknown>, field: string) => {
      expect(() => flyer.encode(message, 'c2s', value)).toThrow(EncodeError);
      expect(() => flyer.encode(message, 'c2s', value)).toThrow(field);
    };
    err('ShakeHand', { protocol: 1004, appCode: 'x' }, 'flyer.protocol');
    err('ShakeHand', { protocol: 'abc' }, 'flyer.protocol');
    err('Unknown', { protocol: 1002 }, 'flyer.protocol');
    err('Unknown', {}, 'flyer.protocol');
    err('NoSuchMessage', {}, 'NoSuchMessage');
    err('CancelJob', { jobBeanId: 'j', vhost: 'v' }, 'flyer.vhost');
    err('Heartbeat', { appCode: 'a', vhost: 'v', form: 'document' }, 'flyer.vhost');
    err('ShakeHand', { form: 'document' }, 'flyer.form');
    err('Heartbeat', { form: 'client' }, 'flyer.form');
    err('ExecuteJobResponse', { jobBeanId: 'j', result: 'ok' }, 'flyer.result');
    err('ExecuteJobResponse', { jobBeanId: 'j', result: 256 }, 'flyer.result');
    err('ExecuteJob', { jobBeanId: 5 }, 'flyer.jobBeanId');
    err('HeartbeatResponse', { serverVersion: 2 ** 31 }, 'flyer.serverVersion');
    err('PullTopology', { packet_id: '-1' }, 'flyer.packet_id');
    err('CommitJob', { body: 'xyz' }, 'flyer.body');
  });

  it('round-trips Unknown ids with and without a body', () => {
    const u = flyer.encode('Unknown', 's2c', { protocol: 2000, packet_id: '5', body: 'cafe' });
    const d = flyer.decode(u, 's2c');
    expect(d.message).toBe('Unknown');
    expect(d.value).toEqual({ start: 1, protocol: 2000, version: 1, packet_id: '5', body: 'cafe' });
    expect(toHex(flyer.encode('Unknown', 's2c', d.value))).toBe(toHex(u));
  });
});

describe('flyer charset option', () => {
  const doc = { packet_id: '1', jobBeanId: '日报任务', result: 0, logStr: '执行成功：共 3 条' };

  it('encodes and decodes GBK when asked, counting bytes', () => {
    const gbk = flyer.encode('ReportJobResult', 'c2s', doc, { charset: 'gbk' });
    const u8 = flyer.encode('ReportJobResult', 'c2s', doc);
    const fields = flattenFields(flyer.decode(gbk, 'c2s', { charset: 'gbk' }).tree);
    expect(fields['flyer.jobBeanId']).toBe('日报任务');
    expect(fields['flyer.jobBeanId_len']).toBe(8);
    expect(flattenFields(flyer.decode(u8, 'c2s').tree)['flyer.jobBeanId_len']).toBe(12);
    expect(fields['flyer.logStr']).toBe('执行成功：共 3 条');
    expect(toHex(gbk.subarray(20, 30))).toBe('0800c8d5b1a8c8cecef1'); // 日报任务 in GBK
    expect(flyer.decode(gbk, 'c2s', { charset: 'gbk' }).value).toMatchObject(doc);
    expect(flyer.peek(gbk, 'c2s', { charset: 'gbk' }).summary).toBe('ReportJobResult packet_id=1 jobBeanId=日报任务 result=0');
  });

  it('decoding GBK bytes as UTF-8 never throws and keeps the round trip of lengths', () => {
    const gbk = flyer.encode('ReportJobResult', 'c2s', doc, { charset: 'gbk' });
    const d = flyer.decode(gbk, 'c2s');
    expect(d.malformed).toBe(false);
    expect(flattenFields(d.tree)['flyer.jobBeanId_len']).toBe(8);
  });
});

describe('flyer messages, catalog, robustness', () => {
  it('lists every §1.2 message with direction and replies, plus Unknown', () => {
    const byName = new Map(flyer.messages.map((m) => [m.name, m]));
    const table: [string, Direction, string[] | undefined][] = [
      ['PullTopology', 'c2s', ['PullTopologyResponse']], ['PullTopologyResponse', 's2c', undefined],
      ['ShakeHand', 'c2s', ['ShakeHandResponse']], ['ShakeHandResponse', 's2c', undefined],
      ['Heartbeat', 'c2s', ['HeartbeatResponse']], ['HeartbeatResponse', 's2c', undefined],
      ['ExecuteJob', 's2c', ['ExecuteJobResponse']], ['ExecuteJobResponse', 'c2s', undefined],
      ['ReportJobResult', 'c2s', ['ReportJobResultResponse']], ['ReportJobResultResponse', 's2c', undefined],
      ['CancelJob', 's2c', ['CancelJobResponse']], ['CancelJobResponse', 'c2s', undefined],
      ['CommitJob', 'c2s', ['CommitJobResponse']], ['CommitJobResponse', 's2c', undefined],
    ];
    for (const [name, dir, replies] of table) {
      const m = byName.get(name)!;
      expect(m, name).toBeDefined();
      expect(m.direction).toBe(dir);
      expect(m.replies).toEqual(replies);
    }
    expect(byName.get('Unknown')!.direction).toBe('both');
    expect(flyer.messages).toHaveLength(15);
  });

  it('templates encode into valid PDUs that decode cleanly back to the template', () => {
    for (const m of flyer.messages) {
      const dir: Direction = m.direction === 's2c' ? 's2c' : 'c2s';
      const t = m.template();
      const bytes = flyer.encode(m.name, dir, t);
      const d = flyer.decode(bytes, dir);
      expect(d.message, m.name).toBe(m.name);
      expect(d.notes, m.name).toEqual([]);
      expect(d.value, m.name).toEqual(t);
      if (m.name !== 'Unknown') expect(flyer.detect(bytes), m.name).toBe(true);
      expect(flyer.framer(dir).frame(bytes, 0, bytes.length)).toBe(bytes.length);
      expect(m.schema.title).toBe(m.name);
      for (const key of Object.keys(t)) expect(m.schema.properties, `${m.name}.${key}`).toHaveProperty(key);
    }
  });

  it('catalogs every §1.6 field once, with message names on flyer.protocol', () => {
    const abbrevs = flyer.catalog.map((c) => c.abbrev);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    for (const name of ['start', 'length', 'protocol', 'version', 'packet_id', 'serverVersion', 'servers_len', 'servers',
      'appCode_len', 'appCode', 'vhost_len', 'vhost', 'req', 'resp', 'jobBeanId_len', 'jobBeanId', 'paramData_len',
      'paramData', 'result', 'logStr_len', 'logStr', 'body']) expect(abbrevs).toContain(`flyer.${name}`);
    const proto = flyer.catalog.find((c) => c.abbrev === 'flyer.protocol')!;
    expect(proto.enum!['1002']).toBe('ShakeHand');
    expect(proto.enum!['1013']).toBe('CommitJobResponse');
    expect(flyer.catalog.find((c) => c.abbrev === 'flyer.packet_id')!.type).toBe('u64');
    expect(flyer.catalog.find((c) => c.abbrev === 'flyer.serverVersion')!.type).toBe('i32');
  });

  it('never throws on random input and flags what it cannot read', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom<Direction>('c2s', 's2c'), (b, dir) => {
      const d = flyer.decode(b, dir);
      expect(d.tree[0].length).toBe(b.length);
      expect(flyer.peek(b, dir).summary).toBe(d.summary);
      if (b.length < 20) expect(d.malformed).toBe(true);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.constantFrom(...valid), fc.integer({ min: 12, max: 47 }), fc.integer({ min: 0, max: 255 }), (f, at, v) => {
      const b = f.bytes.slice();
      if (at < b.length) b[at] = v;
      expect(() => flyer.decode(b, f.direction, { charset: f.charset })).not.toThrow();
    }));
  });
});

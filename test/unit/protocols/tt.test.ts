/**
 * tt-specific behaviour (PROTOCOLS.md §3) beyond the golden fixtures: stream framing (incl. the Java DB proxy's
 * 11-byte short header) and resynchronisation, maxPdu, detection, direction guessing, 7/53 named by direction,
 * pairing keys, summaries, conditional tails on encode, encode errors, templates, catalog and robustness.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { StreamDeframer, deframeAll, type DeframedPdu } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE, type Direction } from '../../../shared/codec/protocol';
import { EncodeError } from '../../../shared/codec/schema';
import { flattenFields } from '../../../shared/codec/tree';
import { ttProtocol as tt } from '../../../shared/protocols/tt/tt.protocol';
import { fixtureProtocols, loadFixtures, rangeViolations } from '../../support/fixtures';

const fixtures = loadFixtures('tt');
const valid = fixtures.filter((f) => f.roundTrip);
const fx = (prefix: string) => fixtures.find((f) => f.file.startsWith(prefix))!;

const heartbeat = fromHex('0000000c 0007 0001 0001 0000');
const msgReadAck = fromHex('00000014 0003 0003 0001 0000 00000004 31303031');
/** Java DB proxy: an empty-body PDU with a one-byte version, 11 bytes while the length says 12. */
const shortHeartbeat = fromHex('0000000c 0007 0001 01 0000');

function hexes(pdus: DeframedPdu[]): string[] {
  return pdus.map((p) => (p.skipped ? `skipped:${toHex(p.bytes)}` : toHex(p.bytes)));
}

/** The dir column of §3.3 (both → c2s). */
const S2C = new Set(tt.messages.filter((m) => m.direction === 's2c').map((m) => m.name));

describe('tt framing', () => {
  const parts = [...valid.map((f) => f.bytes), shortHeartbeat, msgReadAck];
  const stream = concatBytes(parts);
  const expected = parts.map((b) => toHex(b));

  it('cuts many PDUs from one chunk, including the 11-byte short header', () => {
    const { pdus, remainder } = deframeAll(tt.framer('c2s'), stream);
    expect(hexes(pdus)).toEqual(expected);
    expect(remainder.length).toBe(0);
  });

  it('gives the same PDUs when the stream is split at every byte boundary', () => {
    for (let at = 0; at <= stream.length; at++) {
      const d = new StreamDeframer(tt.framer('s2c'));
      const out: DeframedPdu[] = [];
      d.push(stream.subarray(0, at), out);
      d.push(stream.subarray(at), out);
      expect(hexes(out), `split at ${at}`).toEqual(expected);
      expect(d.buffered).toBe(0);
    }
  });

  it('gives the same PDUs fed one byte at a time and in random chunks', () => {
    const d = new StreamDeframer(tt.framer('c2s'));
    const out: DeframedPdu[] = [];
    for (let i = 0; i < stream.length; i++) d.push(stream.subarray(i, i + 1), out);
    expect(hexes(out)).toEqual(expected);

    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 100 }), (sizes) => {
      const dd = new StreamDeframer(tt.framer('c2s'));
      const got: DeframedPdu[] = [];
      for (let i = 0, at = 0; at < stream.length; i++) {
        const n = sizes[i % sizes.length];
        dd.push(stream.subarray(at, at + n), got);
        at += n;
      }
      expect(hexes(got)).toEqual(expected);
    }), { numRuns: 200 });
  });

  it('waits for the header and the body', () => {
    const f = tt.framer('c2s');
    for (let n = 0; n < 20; n++) expect(f.frame(msgReadAck, 0, n), `${n} bytes`).toBe(NEED_MORE);
    expect(f.frame(msgReadAck, 0, 20)).toBe(20);
    expect(f.frame(heartbeat, 0, 11)).toBe(NEED_MORE); // byte 8 is 00: a 12-byte header
    expect(f.frame(heartbeat, 0, 12)).toBe(12);
  });

  it('cuts 11 bytes when tt.length is 12 and byte 8 is 01 (the Java DB proxy short header)', () => {
    const f = tt.framer('s2c');
    expect(f.frame(shortHeartbeat, 0, 10)).toBe(NEED_MORE);
    expect(f.frame(shortHeartbeat, 0, 11)).toBe(11);
    const both = concatBytes([shortHeartbeat, heartbeat, shortHeartbeat]);
    expect(hexes(deframeAll(f, both).pdus)).toEqual([toHex(shortHeartbeat), toHex(heartbeat), toHex(shortHeartbeat)]);
    // A one-byte version 01 with a length other than 12 is impossible (a u16 version would be ≥ 256).
    expect(f.frame(fromHex('00000010 0007 0001 01 0000 00000000'), 0, 16)).toBe(INVALID);
  });

  it('frames unlisted ids (decoded as Unknown) but not a bad length or version', () => {
    const f = tt.framer('c2s');
    expect(f.frame(fx('75-').bytes, 0, 16)).toBe(16); // 3/99
    expect(f.frame(fx('76-').bytes, 0, 12)).toBe(12); // module 9
    expect(f.frame(fromHex('0000000b 0007 0001 0001 00'), 0, 11)).toBe(INVALID); // length 11
    expect(f.frame(fromHex('0000000c 0007 0001 0002 0000'), 0, 12)).toBe(INVALID); // version 2
  });

  it('resynchronises after garbage on the next header passing the strict §3.6 test', () => {
    const garbage = utf8('GET / HTTP/1.1\r\n\r\n');
    const data = concatBytes([garbage, msgReadAck, heartbeat]);
    expect(hexes(deframeAll(tt.framer('c2s'), data).pdus)).toEqual([`skipped:${toHex(garbage)}`, toHex(msgReadAck), toHex(heartbeat)]);
    const noise = fromHex('ffeeddccbbaa998877665544332211');
    expect(hexes(deframeAll(tt.framer('c2s'), concatBytes([noise, heartbeat])).pdus)).toEqual([`skipped:${toHex(noise)}`, toHex(heartbeat)]);
  });

  it('resynchronises when the capture starts in the middle of a PDU', () => {
    const login = fx('06-').bytes;
    const data = concatBytes([login.subarray(13), msgReadAck, login]);
    expect(hexes(deframeAll(tt.framer('c2s'), data).pdus)).toEqual([`skipped:${toHex(login.subarray(13))}`, toHex(msgReadAck), toHex(login)]);
  });

  it('plausible() is the strict §3.6 header test, judged on whatever prefix is present', () => {
    const f = tt.framer('c2s');
    for (let n = 1; n <= 20; n++) expect(f.plausible!(msgReadAck, 0, n), `prefix ${n}`).toBe(true);
    for (let n = 1; n <= 11; n++) expect(f.plausible!(shortHeartbeat, 0, n), `short prefix ${n}`).toBe(true);
    const bad = (i: number, v: number): Uint8Array => { const b = msgReadAck.slice(); b[i] = v; return b; };
    expect(f.plausible!(bad(3, 0x0b), 0, 20)).toBe(false); // length 11
    expect(f.plausible!(bad(0, 0x02), 0, 20)).toBe(false); // length > 16 MiB
    expect(f.plausible!(bad(5, 0), 0, 20)).toBe(false); // module 0
    expect(f.plausible!(bad(5, 8), 0, 20)).toBe(false); // module 8
    expect(f.plausible!(bad(7, 4), 0, 20)).toBe(false); // 3/4 is not listed
    expect(f.plausible!(bad(9, 2), 0, 20)).toBe(false); // version 2
    expect(f.plausible!(bad(8, 1), 0, 20)).toBe(false); // one-byte version but length 20
    expect(f.plausible!(fx('74-').bytes, 0, 20)).toBe(true); // 7/101 ServerInternal
    expect(f.plausible!(fx('68-').bytes, 0, 26)).toBe(true); // 6/565 ServerInternal
  });

  it('honours maxPdu: a bogus huge length is INVALID as soon as it is seen, nothing is buffered for it', () => {
    const huge = fromHex('7fffffff 0003 0003 0001 0000');
    expect(tt.framer('c2s').frame(huge, 0, 4)).toBe(INVALID);
    expect(tt.framer('c2s').frame(huge, 0, huge.length)).toBe(INVALID);
    const small = tt.framer('c2s', { maxPdu: 19 });
    expect(small.frame(msgReadAck, 0, 20)).toBe(INVALID);
    expect(small.plausible!(msgReadAck, 0, 20)).toBe(false);
    expect(tt.framer('c2s', { maxPdu: 20 }).frame(msgReadAck, 0, 20)).toBe(20);
    const d = new StreamDeframer(tt.framer('c2s', { maxPdu: 64 }));
    const out = d.push(concatBytes([fromHex('00010000 0003 0003 0001 0000'), msgReadAck]));
    expect(toHex(out.at(-1)!.bytes)).toBe(toHex(msgReadAck));
    expect(out.at(-1)!.skipped).toBeUndefined();
    expect(out.slice(0, -1).every((p) => p.skipped)).toBe(true);
    expect(d.buffered).toBe(0);
  });
});

describe('tt detection and direction', () => {
  it('detects every valid fixture with a listed id, whole or from its first 12 bytes', () => {
    for (const f of valid.filter((x) => x.message !== 'Unknown')) {
      expect(tt.detect(f.bytes, f.direction), f.file).toBe(true);
      expect(tt.detect(f.bytes.subarray(0, 12)), f.file).toBe(true);
    }
    expect(tt.detect(heartbeat)).toBe(true);
    expect(tt.detect(msgReadAck)).toBe(true);
    expect(tt.detect(shortHeartbeat)).toBe(true);
    expect(tt.detect(concatBytes([heartbeat, msgReadAck]))).toBe(true);
  });

  it('does not detect unlisted ids, bad headers, bodies that do not parse exactly, or other protocols', () => {
    const no = (hex: string) => expect(tt.detect(fromHex(hex)), hex).toBe(false);
    no('0000000c 0003 0063 0001 0000'); // 3/99 not listed
    no('0000000c 0000 0001 0001 0000'); // module 0
    no('0000000c 0008 0001 0001 0000'); // module 8
    no('0000000c 0007 0001 0002 0000'); // version 2
    no('0000000c 0007 0001 0001 00'); // 11 bytes, not the short form
    no('0000000b 0007 0001 0001 00'); // length 11
    no('00100001 0007 0001 0001 0000'); // length > 1 MiB
    no('00000015 0003 0003 0001 0000 00000004 31303031 00'); // MsgReadAck + 1 stray byte
    no('00000013 0003 0003 0001 0000 00000004 313030'); // string runs past the PDU
    expect(tt.detect(fromHex('00000010 0003 0003 0001 0000 00000000'))).toBe(true); // empty from_id_url parses exactly
    expect(tt.detect(fromHex('00000014 0003 0003 0001 0000 00000004 3130'))).toBe(true); // partial PDU: header test only

    const others = [
      '0100 09000000 ea030000 0100 0000000000000000 0400 64656d6f 0000 00', // flyer ShakeHand
      'f66600000000000000090102000000000000000f7b22726571756573744964223a397d', // hodor C
      '000000dd000000d9057372010033636f6d2e636f64696e676170692e74782e', // txlcn
      '0000002000000003322031303330333931313131393239203330303030303030303030', // push Ack
      '00000020 00000002 1367783a0a6a4000 0000 30303030303034356439363462383032 6869', // push Message
      '2020563100000000', // push client magic
      toHex(utf8('GET /jobs HTTP/1.1\r\nHost: x\r\n\r\n')),
      toHex(utf8('HTTP/1.1 200 OK\r\n\r\n')),
    ].map((h) => fromHex(h));
    for (const id of fixtureProtocols().filter((p) => p !== 'tt')) for (const f of loadFixtures(id)) others.push(f.bytes);
    for (const b of others) expect(tt.detect(b), toHex(b.subarray(0, 16))).toBe(false);
    expect(tt.ports).toEqual([]);
    expect(tt.suggestedPorts).toEqual([8008, 8300, 8500]);
  });

  it('guesses the direction from the dir column (both → c2s)', () => {
    for (const f of fixtures) {
      const is753 = f.bytes.length >= 8 && toHex(f.bytes.subarray(4, 8)) === '00070035'; // named by direction, dir "both"
      const want = S2C.has(f.message) && !is753 ? 's2c' : 'c2s';
      expect(tt.guessDirection(f.bytes), f.file).toBe(want);
    }
    expect(tt.guessDirection(fx('71-').bytes)).toBe('c2s'); // 7/53 is "both"
    expect(tt.guessDirection(fx('72-').bytes)).toBe('s2c'); // 7/54
    expect(tt.guessDirection(new Uint8Array(3))).toBe('c2s');
  });

  it('names 7/53 by direction: DBQueryRequest (query_data) c2s, DBQueryResponse (result_data) s2c', () => {
    const b = fx('70-').bytes;
    const c = tt.decode(b, 'c2s');
    const s = tt.decode(b, 's2c');
    expect(c.message).toBe('DBQueryRequest');
    expect(c.value.query_data).toBe('0000000400000003e9');
    expect(s.message).toBe('DBQueryResponse');
    expect(s.value.result_data).toBe('0000000400000003e9');
    expect(flattenFields(s.tree)['tt.command_id']).toBe(53);
    expect(s.tree[0].children![2].display).toBe('53 (DBQueryResponse)');
    expect(tt.decode(fx('72-').bytes, 'c2s').message).toBe('DBQueryResponse'); // 7/54 either way
  });
});

describe('tt pairing and peek', () => {
  const pair = (prefix: string) => { const f = fx(prefix); return tt.peek(f.bytes, f.direction).pair; };

  it('pairs on (reserved, expected reply) when reserved ≠ 0', () => {
    expect(pair('06-')).toEqual({ role: 'request', key: '1:LoginResponse' });
    expect(pair('07-')).toEqual({ role: 'response', key: '1:LoginResponse' });
    expect(pair('08-')).toEqual({ role: 'response', key: '2:LoginResponse' });
    expect(pair('48-')).toEqual({ role: 'request', key: '16:GroupCreateTmpGroupResponse' }); // 5/12 → 13
    expect(pair('49-')).toEqual({ role: 'response', key: '16:GroupCreateTmpGroupResponse' });
    expect(pair('70-')).toEqual({ role: 'request', key: '21:DBQueryResponse' });
    expect(pair('71-')).toEqual({ role: 'response', key: '21:DBQueryResponse' });
    expect(pair('72-')).toEqual({ role: 'response', key: '22:DBQueryResponse' });
    expect(pair('10-')).toEqual({ role: 'request', key: '3:FriendList' });
    expect(pair('11-')).toEqual({ role: 'response', key: '3:FriendList' });
  });

  it('pairs first-in-first-out per expected reply when reserved = 0, and always for time and heartbeat', () => {
    expect(pair('03-')).toEqual({ role: 'request', fifo: 'MsgServResponse' });
    expect(pair('04-')).toEqual({ role: 'response', fifo: 'MsgServResponse' });
    expect(pair('20-')).toEqual({ role: 'request', fifo: 'AllUserResponse' });
    expect(pair('21-')).toEqual({ role: 'response', fifo: 'AllUserResponse' });
    expect(pair('31-')).toEqual({ role: 'request', fifo: 'TimeResponse' }); // reserved 10, reply carries 0
    expect(pair('32-')).toEqual({ role: 'response', fifo: 'TimeResponse' });
    expect(pair('01-')).toEqual({ role: 'request', fifo: 'Heartbeat' });
    expect(pair('69-')).toEqual({ role: 'response', fifo: 'Heartbeat' });
  });

  it('pairs MsgDataAck with the MsgData of the same seq_no', () => {
    expect(pair('26-')).toEqual({ role: 'request', key: 'MsgData:42' });
    expect(pair('30-')).toEqual({ role: 'response', key: 'MsgData:42' });
    expect(pair('27-')).toEqual({ role: 'request', key: 'MsgData:42' });
  });

  it('gives notices and server-internal PDUs no pairing role', () => {
    for (const p of ['02-', '09-', '12-', '13-', '37-', '54-', '55-', '58-', '63-', '73-', '74-', '75-']) expect(pair(p), p).toEqual({ role: 'none' });
  });

  it('summarises without a tree, the same way decode does', () => {
    const s = (prefix: string) => { const f = fx(prefix); return tt.peek(f.bytes, f.direction).summary; };
    expect(s('01-')).toBe('Heartbeat');
    expect(s('02-')).toBe('MsgReadAck from_id_url=1001');
    expect(s('04-')).toBe('MsgServResponse result=ok ip1=192.168.1.10 port=8000');
    expect(s('05-')).toBe('MsgServResponse result="msg_server full"');
    expect(s('06-')).toBe('LoginRequest username=zhangsan online_status=online client_type=iOS client_version=2.0.1');
    expect(s('07-')).toBe('LoginResponse result=ok user_id_url=1001 nickname=小张');
    expect(s('08-')).toBe('LoginResponse result="validation failed"');
    expect(s('26-')).toBe('MsgData seq_no=42 from_id_url=1001 to_id_url=1002 msg_type="P2P text"');
    expect(s('41-')).toBe('GroupUserListResponse group_id=2001 result=0 user_cnt=2');
    expect(s('42-')).toBe('GroupUserListResponse group_id=2999 result=1');
    expect(s('60-')).toBe('FilePullDataResponse m_result=OK m_task_id=5f0e2c1a-7d3b-4e59-9a61-0c8d2b4e6f10 m_offset=0 m_data_len=9');
    expect(s('61-')).toBe('FileRequest from_user_id=1001 to_user_id=1002 file_name=季度报告.pdf file_size=102400');
    expect(s('74-')).toBe('ServerInternal module_id=7 command_id=101 length=20');
    expect(s('76-')).toBe('Unknown module_id=9 command_id=1 length=12');
    expect(s('78-')).toBe('MsgReadAck');
    expect(tt.peek(msgReadAck.subarray(0, 12), 'c2s')).toMatchObject({ message: 'MsgReadAck', summary: 'MsgReadAck' });
    expect(tt.peek(msgReadAck.subarray(0, 9), 'c2s')).toMatchObject({ message: 'MsgReadAck', malformed: true });
    expect(tt.peek(new Uint8Array(0), 'c2s')).toMatchObject({ message: 'Unknown', malformed: true });
    expect(tt.peek(shortHeartbeat, 's2c')).toMatchObject({ message: 'Heartbeat', summary: 'Heartbeat' });
  });

  it('peeks fast (well under a microsecond for a typical PDU)', () => {
    const pdu = fx('26-').bytes; // MsgData: three fields, two strings
    for (let i = 0; i < 20000; i++) tt.peek(pdu, 'c2s');
    const n = 100000;
    const t = performance.now();
    for (let i = 0; i < n; i++) tt.peek(pdu, 'c2s');
    const ns = ((performance.now() - t) * 1e6) / n;
    expect(ns).toBeLessThan(5000); // loose bound for slow CI; typically a few hundred ns
  });
});

describe('tt decode', () => {
  it('decodes the short header with a warning and re-encodes the 12-byte form', () => {
    const d = tt.decode(shortHeartbeat, 's2c');
    expect(d.message).toBe('Heartbeat');
    expect(d.length).toBe(11);
    expect(d.notes).toEqual([expect.objectContaining({ severity: 'warn' })]);
    expect(d.value).toEqual({ module_id: 7, command_id: 1, version: 1, reserved: 0 });
    expect(toHex(tt.encode(d.message, 's2c', d.value))).toBe(toHex(heartbeat));
    const v = d.tree[0].children!.find((n) => n.abbrev === 'tt.version')!;
    expect([v.start, v.length]).toEqual([8, 1]);
  });

  it('adds tt.msg_text only for text types with valid UTF-8, as a child of the bytes it comes from', () => {
    const text = (prefix: string) => flattenFields(tt.decode(fx(prefix).bytes, fx(prefix).direction).tree)['tt.msg_text'];
    expect(text('26-')).toBe('你好，世界');
    expect(text('27-')).toBe('hello group');
    expect(text('28-')).toBeUndefined(); // audio
    expect(text('29-')).toBeUndefined(); // GBK bytes
    expect(text('36-')).toBe('在吗？'); // only the text item
    expect(text('46-')).toBe('大家好'); // 5/8 msg_content
    const d = tt.decode(fx('26-').bytes, 'c2s');
    const data = d.tree[0].children!.find((n) => n.abbrev === 'tt.msg_data')!;
    expect(data.children).toEqual([expect.objectContaining({ abbrev: 'tt.msg_text', generated: true, start: data.start, length: data.length })]);
    expect(d.value).not.toHaveProperty('msg_text');
  });

  it('labels repeated items after their count (N5) and keeps the list under the same key', () => {
    const d = tt.decode(fx('39-').bytes, 's2c');
    const labels = d.tree[0].children!.filter((n) => !n.abbrev).map((n) => n.label);
    expect(labels).toEqual(['group[0]', 'group[1]']);
    expect(d.tree[0].children!.find((n) => n.label === 'group[0]')!.children!.filter((n) => !n.abbrev).map((n) => n.label)).toEqual(['user[0]', 'user[1]']);
    expect(d.value.group).toEqual([
      { group_id: '2001', group_name: '项目组', group_avatar: 'http://avatar.example.com/g2001.png', group_creator_id_url: '1001', group_type: 1, user: [{ user_id_url: '1001' }, { user_id_url: '1002' }] },
      { group_id: '2002', group_name: 'Lunch', group_avatar: '', group_creator_id_url: '1003', group_type: 1, user: [{ user_id_url: '1003' }] },
    ]);
    expect(Object.keys(tt.decode(fx('34-').bytes, 's2c').value)).toContain('unread_list');
    expect(Object.keys(tt.decode(fx('65-').bytes, 's2c').value)).toEqual(expect.arrayContaining(['file', 'ip_addr']));
  });

  it('bounds a bogus huge count or string length by the bytes present', () => {
    const d = tt.decode(fromHex('00000014 0002 000b 0001 0000 ffffffff 00000000'), 's2c');
    expect(d.message).toBe('UserInfoRequest');
    expect(d.malformed).toBe(true);
    const e = tt.decode(fromHex('00000014 0003 0003 0001 0000 fffffff0 31303031'), 'c2s');
    expect(e.malformed).toBe(true);
    expect(rangeViolations(e.tree)).toEqual([]);
  });
});

describe('tt encode', () => {
  it('derives module, command, version, lengths and counts', () => {
    expect(toHex(tt.encode('Heartbeat', 'c2s', {}))).toBe(toHex(heartbeat));
    expect(toHex(tt.encode('MsgReadAck', 'c2s', { from_id_url: '1001' }))).toBe(toHex(msgReadAck));
    const b = tt.encode('UserInfoRequest', 'c2s', { reserved: 5, user: [{ user_id_url: '1002' }, { user_id_url: '1003' }] });
    expect(toHex(b)).toBe(toHex(fx('17-').bytes));
  });

  it('writes the conditional tails only when result = 0', () => {
    const tail = { online_status: 1, user_id_url: '1001', nickname: 'x', token: 't' };
    const failed = tt.encode('LoginResponse', 's2c', { server_time: 1, result: 6, ...tail });
    expect(failed.length).toBe(20);
    expect(tt.decode(failed, 's2c').value).toEqual({ module_id: 1, command_id: 4, version: 1, reserved: 0, server_time: 1, result: 6 });
    const ok = tt.encode('LoginResponse', 's2c', { server_time: 1, result: 0, ...tail });
    expect(tt.decode(ok, 's2c').value).toMatchObject({ result: 0, ...tail, avatar_url: '', job_num: 0 });
    expect(tt.encode('MsgServResponse', 's2c', { result: 1, ip1: 'a', ip2: 'b', port: 1 }).length).toBe(16);
    expect(tt.encode('GroupUserListResponse', 's2c', { group_id: 'g', result: 3, user: [{ id_url: '1' }] }).length).toBe(21);
    expect(tt.encode('MsgServResponse', 's2c', { ip1: 'a', ip2: 'b', port: 1 }).length).toBe(12 + 4 + 5 + 5 + 2); // result defaults to 0
  });

  it('chooses the command of DBQueryResponse by direction and accepts an explicit 54', () => {
    const doc = { seq_no: 1, result_data: 'ab' };
    expect(toHex(tt.encode('DBQueryResponse', 's2c', doc).subarray(4, 8))).toBe('00070035');
    expect(toHex(tt.encode('DBQueryResponse', 'c2s', doc).subarray(4, 8))).toBe('00070036');
    expect(toHex(tt.encode('DBQueryResponse', 's2c', { ...doc, command_id: 54 }).subarray(4, 8))).toBe('00070036');
    expect(toHex(tt.encode('DBQueryRequest', 'c2s', { seq_no: 1, query_data: 'ab' }).subarray(4, 8))).toBe('00070035');
  });

  it('encodes ServerInternal and Unknown from their ids and round-trips them', () => {
    expect(toHex(tt.encode('ServerInternal', 'c2s', { body: 'aa' }).subarray(4, 8))).toBe('00070064');
    expect(toHex(tt.encode('ServerInternal', 'c2s', { module_id: 6, body: '' }).subarray(4, 8))).toBe('00060235');
    expect(toHex(tt.encode('ServerInternal', 'c2s', { module_id: 6, command_id: 566 }).subarray(4, 8))).toBe('00060236');
    const u = tt.encode('Unknown', 's2c', { module_id: 12, command_id: 3, reserved: 9, body: 'cafe' });
    const d = tt.decode(u, 's2c');
    expect(d.message).toBe('Unknown');
    expect(d.value).toEqual({ module_id: 12, command_id: 3, version: 1, reserved: 9, body: 'cafe' });
    expect(toHex(tt.encode('Unknown', 's2c', d.value))).toBe(toHex(u));
  });

  it('keeps a length or count given on purpose (deliberately broken frames)', () => {
    const bad = tt.encode('MsgReadAck', 'c2s', { from_id_url: '1001', length: 99, from_id_url_len: 7 });
    expect(toHex(bad.subarray(0, 4))).toBe('00000063');
    expect(toHex(bad.subarray(12, 16))).toBe('00000007');
    const d = tt.decode(tt.encode('UserInfoRequest', 'c2s', { user_cnt: 3, user: [{ user_id_url: '1' }] }), 'c2s');
    expect(d.malformed).toBe(true);
  });

  it('throws EncodeError naming the field at fault', () => {
    const err = (message: string, dir: Direction, value: Record<string, unknown>, field: string) => {
      expect(() => tt.encode(message, dir, value), `${message} ${field}`).toThrow(EncodeError);
      expect(() => tt.encode(message, dir, value), `${message} ${field}`).toThrow(field);
    };
    err('Heartbeat', 'c2s', { command_id: 2 }, 'tt.command_id');
    err('Heartbeat', 'c2s', { module_id: 3 }, 'tt.command_id');
    err('LoginRequest', 'c2s', { module_id: 'x' }, 'tt.module_id');
    err('LoginRequest', 'c2s', { command_id: 70000 }, 'tt.command_id');
    err('DBQueryRequest', 's2c', { seq_no: 1 }, 'tt.command_id');
    err('DBQueryResponse', 'c2s', { command_id: 53 }, 'tt.command_id');
    err('ServerInternal', 'c2s', { module_id: 7, command_id: 53 }, 'tt.command_id');
    err('Unknown', 'c2s', { body: '' }, 'tt.command_id');
    err('Unknown', 'c2s', { module_id: 7, command_id: 1 }, 'tt.command_id');
    err('NoSuchMessage', 'c2s', {}, 'NoSuchMessage');
    err('MsgServResponse', 's2c', { result: 0, port: 70000 }, 'tt.port');
    err('LoginRequest', 'c2s', { username: 5 }, 'tt.username');
    err('MsgData', 'c2s', { msg_data: 'xyz' }, 'tt.msg_data');
    err('MsgData', 'c2s', { msg_type: 256 }, 'tt.msg_type');
    err('UserInfoRequest', 'c2s', { user: 'x' }, 'tt.user');
    err('UserInfoRequest', 'c2s', { user: [5] }, 'tt.user[0]');
    err('KickUser', 's2c', { user_id: -1 }, 'tt.user_id');
    err('ServerInternal', 'c2s', { body: 'zz' }, 'tt.body');
  });
});

describe('tt messages, catalog, robustness', () => {
  it('lists every §3.3 message with direction and replies, plus ServerInternal and Unknown', () => {
    const table: [string, 'c2s' | 's2c' | 'both', string[] | undefined][] = [
      ['MsgServRequest', 'c2s', ['MsgServResponse']], ['MsgServResponse', 's2c', undefined],
      ['LoginRequest', 'c2s', ['LoginResponse']], ['LoginResponse', 's2c', undefined], ['KickUser', 's2c', undefined],
      ['BuddyListRequest', 'c2s', ['FriendList']], ['FriendList', 's2c', undefined], ['OnlineFriendList', 's2c', undefined],
      ['FriendNotify', 's2c', undefined], ['UserStatusRequest', 'c2s', ['UserStatusResponse']], ['UserStatusResponse', 's2c', undefined],
      ['UserInfoResponse', 's2c', undefined], ['UserInfoRequest', 'c2s', ['UserInfoResponse']],
      ['RemoveSessionRequest', 'c2s', ['RemoveSessionResponse']], ['RemoveSessionResponse', 's2c', undefined],
      ['AllUserRequest', 'c2s', ['AllUserResponse']], ['AllUserResponse', 's2c', undefined],
      ['UsersStatusRequest', 'c2s', ['UsersStatusResponse']], ['UsersStatusResponse', 's2c', undefined],
      ['DepartmentRequest', 'c2s', ['DepartmentResponse']], ['DepartmentResponse', 's2c', undefined],
      ['MsgData', 'both', ['MsgDataAck']], ['MsgDataAck', 'both', undefined], ['MsgReadAck', 'c2s', undefined],
      ['TimeRequest', 'c2s', ['TimeResponse']], ['TimeResponse', 's2c', undefined],
      ['UnreadMsgCntRequest', 'c2s', ['UnreadMsgCntResponse']], ['UnreadMsgCntResponse', 's2c', undefined],
      ['UnreadMsgRequest', 'c2s', ['UnreadMsgResponse']], ['UnreadMsgResponse', 's2c', undefined],
      ['P2PCmdMsg', 'both', undefined],
      ['GroupListRequest', 'c2s', ['GroupListResponse']], ['GroupListResponse', 's2c', undefined],
      ['GroupUserListRequest', 'c2s', ['GroupUserListResponse']], ['GroupUserListResponse', 's2c', undefined],
      ['GroupUnreadMsgCntRequest', 'c2s', ['GroupUnreadMsgCntResponse']], ['GroupUnreadMsgCntResponse', 's2c', undefined],
      ['GroupUnreadMsgRequest', 'c2s', ['GroupUnreadMsgResponse']], ['GroupUnreadMsgResponse', 's2c', undefined],
      ['GroupMsgReadAck', 'c2s', undefined],
      ['GroupCreateTmpGroupRequest', 'c2s', ['GroupCreateTmpGroupResponse']], ['GroupCreateTmpGroupResponse', 's2c', undefined],
      ['GroupChangeMemberRequest', 'c2s', ['GroupChangeMemberResponse']], ['GroupChangeMemberResponse', 's2c', undefined],
      ['GroupDialogListRequest', 'c2s', ['GroupDialogListResponse']], ['GroupDialogListResponse', 's2c', undefined],
      ['GroupCreateNormalGroupNotify', 's2c', undefined], ['GroupChangeMemberNotify', 's2c', undefined],
      ['FileLoginRequest', 'c2s', ['FileLoginResponse']], ['FileLoginResponse', 's2c', undefined], ['FileState', 'both', undefined],
      ['FilePullDataRequest', 'both', ['FilePullDataResponse']], ['FilePullDataResponse', 'both', undefined],
      ['FileRequest', 'c2s', ['FileResponse']], ['FileResponse', 's2c', undefined], ['FileNotify', 's2c', undefined],
      ['FileHasOfflineRequest', 'c2s', ['FileHasOfflineResponse']], ['FileHasOfflineResponse', 's2c', undefined],
      ['FileAddOfflineRequest', 'c2s', undefined], ['FileDelOfflineRequest', 'c2s', undefined],
      ['Heartbeat', 'both', ['Heartbeat']], ['DBQueryRequest', 'c2s', ['DBQueryResponse']], ['DBQueryResponse', 's2c', undefined],
      ['ServiceSetting', 'c2s', undefined], ['ServerInternal', 'both', undefined], ['Unknown', 'both', undefined],
    ];
    const byName = new Map(tt.messages.map((m) => [m.name, m]));
    for (const [name, dir, replies] of table) {
      const m = byName.get(name);
      expect(m, name).toBeDefined();
      expect(m!.direction, name).toBe(dir);
      expect(m!.replies, name).toEqual(replies);
    }
    expect(tt.messages.map((m) => m.name).sort()).toEqual(table.map((t) => t[0]).sort());
  });

  it('templates encode into valid, detectable PDUs that decode cleanly back to the template', () => {
    for (const m of tt.messages) {
      const dir: Direction = m.direction === 's2c' ? 's2c' : 'c2s';
      const t = m.template();
      const bytes = tt.encode(m.name, dir, t);
      const d = tt.decode(bytes, dir);
      expect(d.message, m.name).toBe(m.name);
      expect(d.notes, m.name).toEqual([]);
      expect(d.value, m.name).toEqual(t);
      expect(tt.detect(bytes, dir), m.name).toBe(m.name !== 'Unknown');
      expect(tt.framer(dir).frame(bytes, 0, bytes.length), m.name).toBe(bytes.length);
      expect(m.schema.title).toBe(m.name);
      for (const key of Object.keys(t)) expect(m.schema.properties, `${m.name}.${key}`).toHaveProperty(key);
    }
    const both = tt.messages.filter((m) => m.direction === 'both' && m.name !== 'Unknown' && m.name !== 'ServerInternal');
    for (const m of both) expect(tt.decode(tt.encode(m.name, 's2c', m.template()), 's2c').message, m.name).toBe(m.name);
  });

  it('catalogs every §3.7 field once', () => {
    const abbrevs = tt.catalog.map((c) => c.abbrev);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    const strings = ['ip1', 'ip2', 'username', 'password', 'client_version', 'user_id_url', 'nickname', 'token', 'avatar_url',
      'title', 'position', 'depart_id_url', 'telephone', 'email', 'name', 'nick_name', 'session_id', 'description',
      'parent_depart_id_url', 'leader_id_url', 'from_id_url', 'to_id_url', 'attach_data', 'id_url', 'to_user_id_url',
      'from_user_id_url', 'from_name', 'from_nick_name', 'from_avatar_url', 'group_id', 'group_name', 'group_avatar',
      'group_creator_id_url', 'group_id_url', 'm_user_id', 'm_token', 'm_task_id', 'from_user_id', 'to_user_id', 'file_name',
      'task_id', 'ip'];
    const blobs = ['msg_data', 'cmd_msg_data', 'msg_content', 'm_data', 'query_data', 'result_data'];
    const ints = ['length', 'module_id', 'command_id', 'version', 'reserved', 'result', 'port', 'online_status', 'client_type',
      'server_time', 'role_status', 'sex', 'job_num', 'user_id', 'reason', 'req_type', 'friend_cnt', 'user_updated', 'list_type',
      'status', 'user_cnt', 'session_type', 'depart_cnt', 'seq_no', 'create_time', 'msg_type', 'unread_list_cnt', 'unread_cnt',
      'msg_cnt', 'group_cnt', 'group_type', 'group_updated', 'group_unread_cnt', 'unread_msg_cnt', 'change_type',
      'm_client_mode', 'm_result', 'm_state', 'm_mode', 'm_offset', 'm_datasize', 'file_size', 'trans_mode', 'ip_addr_cnt',
      'offline_ready', 'file_cnt', 'key', 'value'];
    for (const n of strings) {
      expect(tt.catalog.find((c) => c.abbrev === `tt.${n}`)?.type, n).toBe('string');
      expect(tt.catalog.find((c) => c.abbrev === `tt.${n}_len`)?.type, `${n}_len`).toBe('u32');
    }
    for (const n of blobs) {
      expect(tt.catalog.find((c) => c.abbrev === `tt.${n}`)?.type, n).toBe('bytes');
      expect(tt.catalog.find((c) => c.abbrev === `tt.${n}_len`)?.type, `${n}_len`).toBe('u32');
    }
    for (const n of ints) expect(tt.catalog.find((c) => c.abbrev === `tt.${n}`)?.type, n).toMatch(/^u(8|16|32)$/);
    expect(tt.catalog.find((c) => c.abbrev === 'tt.msg_type')!.type).toBe('u8');
    expect(tt.catalog.find((c) => c.abbrev === 'tt.port')!.type).toBe('u16');
    expect(tt.catalog.find((c) => c.abbrev === 'tt.list_type')!.type).toBe('u16');
    expect(tt.catalog.find((c) => c.abbrev === 'tt.msg_text')).toMatchObject({ type: 'string', generated: true });
    expect(tt.catalog.find((c) => c.abbrev === 'tt.module_id')!.enum).toEqual({ 1: 'LOGIN', 2: 'BUDDY_LIST', 3: 'MSG', 4: 'SWITCH_SERVICE', 5: 'GROUP', 6: 'FILE', 7: 'OTHER' });
    expect(tt.catalog.find((c) => c.abbrev === 'tt.result')!.enum).toBeUndefined(); // meaning differs per message
    expect(abbrevs).toContain('tt.body');
    expect(abbrevs.length).toBe(strings.length * 2 + blobs.length * 2 + ints.length + 2);
  });

  it('never throws on random input and flags what it cannot read', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.constantFrom<Direction>('c2s', 's2c'), (b, dir) => {
      const d = tt.decode(b, dir);
      expect(d.tree[0].length).toBe(b.length);
      expect(tt.peek(b, dir).summary).toBe(d.summary);
      expect(rangeViolations(d.tree)).toEqual([]);
      if (b.length < 11) expect(d.malformed).toBe(true);
    }), { numRuns: 2000 });
    // Random bodies behind every valid header.
    const headers = tt.messages.filter((m) => m.name !== 'Unknown').map((m) => tt.encode(m.name, m.direction === 's2c' ? 's2c' : 'c2s', m.template()).subarray(4, 12));
    fc.assert(fc.property(fc.constantFrom(...headers), fc.uint8Array({ maxLength: 120 }), fc.constantFrom<Direction>('c2s', 's2c'), (h, body, dir) => {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, 12 + body.length);
      const b = concatBytes([len, h, body]);
      const d = tt.decode(b, dir);
      expect(tt.peek(b, dir).summary).toBe(d.summary);
      expect(rangeViolations(d.tree)).toEqual([]);
      if (!d.malformed && d.notes.length === 0) expect(toHex(tt.encode(d.message, dir, d.value))).toBe(toHex(b));
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.constantFrom(...valid), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 255 }), (f, at, v) => {
      const b = f.bytes.slice();
      if (at < b.length) b[at] = v;
      expect(() => tt.decode(b, f.direction)).not.toThrow();
      expect(() => tt.peek(b, f.direction)).not.toThrow();
    }));
  });
});

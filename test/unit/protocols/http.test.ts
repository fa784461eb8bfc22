/**
 * http-specific behaviour (PROTOCOLS.md §6) beyond the golden fixtures: stream framing (Content-Length, chunked,
 * until close), resynchronisation, maxPdu, detection, direction guessing, pairing and summaries, the message
 * document (computed Content-Length, chunks, odd formatting), encode errors, response context and templates.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex, utf8 } from '../../../shared/codec/bytes';
import { StreamDeframer, deframeAll, type DeframedPdu } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE, type Direction, type FramerExchange } from '../../../shared/codec/protocol';
import { EncodeError, type Doc } from '../../../shared/codec/schema';
import { flattenFields } from '../../../shared/codec/tree';
import { httpProtocol as http } from '../../../shared/protocols/http/http.protocol';
import { formDecode } from '../../../shared/protocols/http/http-query';
import { fixtureProtocols, loadFixtures, rangeViolations, type Fixture } from '../../support/fixtures';

const fixtures = loadFixtures('http');
const fx = (prefix: string): Fixture => fixtures.find((f) => f.file.startsWith(prefix))!;
const valid = fixtures.filter((f) => f.roundTrip);
const text = (s: string): Uint8Array => utf8(s);

function hexes(pdus: DeframedPdu[]): string[] {
  return pdus.map((p) => (p.skipped ? `skipped:${toHex(p.bytes)}` : toHex(p.bytes)));
}

/** Requests, and responses whose framing needs nothing from the request (46 is a HEAD reply). */
const requests = valid.filter((f) => f.direction === 'c2s');
const responses = valid.filter((f) => f.direction === 's2c' && !f.file.startsWith('46-'));
const closeDelimited = fx('31-');

const ping = text('GET /ping HTTP/1.1\r\nHost: 10.10.79.134:8710\r\n\r\n');
const put = text('POST /put?channel_id=1&device_type=0 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello');
const ok = text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK');

describe('http framing', () => {
  const streams: [Direction, Fixture[], Uint8Array[]][] = [
    ['c2s', requests, []],
    // The close-delimited response can only be last: its body runs to the end of the stream.
    ['s2c', responses, [closeDelimited.bytes]],
  ];

  for (const [dir, list, tail] of streams) {
    const parts = [...list.map((f) => f.bytes), ...tail];
    const stream = concatBytes(parts);
    const expected = parts.map((b) => toHex(b));

    it(`${dir}: cuts many PDUs from one chunk (the last at EOF when close-delimited)`, () => {
      const { pdus, remainder } = deframeAll(http.framer(dir), stream);
      expect(hexes(pdus)).toEqual(expected);
      expect(remainder.length).toBe(0);
    });

    it(`${dir}: gives the same PDUs when the stream is split at every byte boundary`, () => {
      for (let at = 0; at <= stream.length; at += 1) {
        const d = new StreamDeframer(http.framer(dir));
        const out: DeframedPdu[] = [];
        d.push(stream.subarray(0, at), out);
        d.push(stream.subarray(at), out);
        d.finish(out);
        expect(hexes(out), `split at ${at}`).toEqual(expected);
      }
    });

    it(`${dir}: gives the same PDUs fed one byte at a time and in random chunks`, () => {
      const d = new StreamDeframer(http.framer(dir));
      const out: DeframedPdu[] = [];
      for (let i = 0; i < stream.length; i++) d.push(stream.subarray(i, i + 1), out);
      d.finish(out);
      expect(hexes(out)).toEqual(expected);

      fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 50 }), (sizes) => {
        const dd = new StreamDeframer(http.framer(dir));
        const got: DeframedPdu[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = sizes[i % sizes.length];
          dd.push(stream.subarray(at, at + n), got);
          at += n;
        }
        dd.finish(got);
        expect(hexes(got)).toEqual(expected);
      }), { numRuns: 50 });
    });
  }

  it('waits for the whole header block, then for Content-Length bytes', () => {
    const f = http.framer('c2s');
    for (let n = 0; n < put.length; n++) expect(f.frame(put, 0, n), `prefix ${n}`).toBe(NEED_MORE);
    expect(f.frame(put, 0, put.length)).toBe(put.length);
    expect(f.frame(ping, 0, ping.length)).toBe(ping.length);
  });

  it('frames chunked bodies through the last chunk and trailers, and waits inside them', () => {
    const b = fx('30-').bytes;
    const f = http.framer('s2c');
    for (let n = 0; n < b.length; n++) expect(f.frame(b, 0, n), `prefix ${n}`).toBe(NEED_MORE);
    expect(f.frame(b, 0, b.length)).toBe(b.length);
  });

  it('frames body-less responses: 1xx, 204, 304; requests without a length have no body', () => {
    const s2c = http.framer('s2c');
    const cont = text('HTTP/1.1 100 Continue\r\n\r\n');
    const both = concatBytes([cont, ok]);
    expect(hexes(deframeAll(s2c, both).pdus)).toEqual([toHex(cont), toHex(ok)]);
    for (const code of ['204 No Content', '304 Not Modified']) {
      const r = text(`HTTP/1.1 ${code}\r\nDate: x\r\n\r\n`);
      expect(s2c.frame(r, 0, r.length), code).toBe(r.length);
    }
    const two = concatBytes([ping, ping]);
    expect(http.framer('c2s').frame(two, 0, two.length)).toBe(ping.length);
  });

  it('hands a close-delimited body over only at EOF, and an incomplete Content-Length body stays a remainder', () => {
    const b = closeDelimited.bytes;
    const f = http.framer('s2c');
    expect(f.frame(b, 0, b.length)).toBe(NEED_MORE);
    expect(f.atEof!(b, 0, b.length)).toBe(b.length);
    expect(f.atEof!(ok, 0, ok.length - 1)).toBe(0);
    const d = new StreamDeframer(f);
    expect(d.push(ok.subarray(0, ok.length - 1))).toEqual([]);
    const { pdus, remainder } = d.finish();
    expect(pdus).toEqual([]);
    expect(toHex(remainder)).toBe(toHex(ok.subarray(0, ok.length - 1)));
  });

  it('resynchronises after garbage on the next plausible start line', () => {
    const garbage = fromHex('2020563100000000') ; // a push magic is not HTTP
    const junk = text('xx GET-ish\r\n');
    const { pdus } = deframeAll(http.framer('c2s'), concatBytes([garbage, junk, ping, put]));
    expect(hexes(pdus)).toEqual([`skipped:${toHex(concatBytes([garbage, junk]))}`, toHex(ping), toHex(put)]);
  });

  it('resynchronises when the capture starts in the middle of a message', () => {
    for (const cut of [7, 30, 60]) {
      const first = fx('08-').bytes;
      const data = concatBytes([first.subarray(cut), ping, put]);
      const { pdus } = deframeAll(http.framer('c2s'), data);
      expect(hexes(pdus), `cut ${cut}`).toEqual([`skipped:${toHex(first.subarray(cut))}`, toHex(ping), toHex(put)]);
    }
    const r = fx('02-').bytes;
    const { pdus } = deframeAll(http.framer('s2c'), concatBytes([r.subarray(20), ok]));
    expect(hexes(pdus)).toEqual([`skipped:${toHex(r.subarray(20))}`, toHex(ok)]);
  });

  it('cuts a message with a broken body after its header (or its last good chunk) and skips the rest', () => {
    const badLength = fx('40-').bytes;
    const { pdus } = deframeAll(http.framer('c2s'), concatBytes([badLength, text('junk'), ping]));
    expect(hexes(pdus)).toEqual([toHex(badLength), `skipped:${toHex(text('junk'))}`, toHex(ping)]);
    const badChunk = fx('39-').bytes;
    const cut = badChunk.length - 6; // "zz\r\n\r\n"
    const s = deframeAll(http.framer('s2c'), concatBytes([badChunk, ok]));
    expect(hexes(s.pdus)).toEqual([toHex(badChunk.subarray(0, cut)), `skipped:${toHex(badChunk.subarray(cut))}`, toHex(ok)]);
  });

  it('plausible() is the strict start-line test, judged on whatever prefix is present', () => {
    const c2s = http.framer('c2s');
    const s2c = http.framer('s2c');
    for (let n = 1; n <= ping.length; n++) expect(c2s.plausible!(ping, 0, n), `request prefix ${n}`).toBe(true);
    for (let n = 1; n <= ok.length; n++) expect(s2c.plausible!(ok, 0, n), `response prefix ${n}`).toBe(true);
    const no = (f: typeof c2s, s: string) => expect(f.plausible!(text(s), 0, s.length), s).toBe(false);
    no(c2s, 'get /ping HTTP/1.1\r\n');
    no(c2s, 'GET  /ping HTTP/1.1\r\n');
    no(c2s, 'GET /ping HTTP/2.0\r\n');
    no(c2s, 'GET /ping HTTP/1.1\n');
    no(c2s, 'GET /ping\r\n');
    no(c2s, 'SUB 1030391111929\n');
    no(c2s, 'PUB 1 2 3\n');
    no(c2s, 'HTTP/1.1 200 OK\r\n');
    no(c2s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n');
    no(s2c, 'GET /ping HTTP/1.1\r\n');
    no(s2c, 'HTTP/1.1 2x0 OK\r\n');
    no(s2c, 'HTTP/1.1  200 OK\r\n');
    no(s2c, 'HTTP/1.1 200 O\nK\r\n');
    no(s2c, 'HTTP/3.0 200 OK\r\n');
    no(s2c, '\u0000\u0000\u0000\u0020');
  });

  it('honours maxPdu: a huge Content-Length or chunk is INVALID at once, a header never ending is INVALID at maxPdu', () => {
    const huge = text('POST /put HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n');
    expect(http.framer('c2s').frame(huge, 0, huge.length)).toBe(INVALID);
    const hugeChunk = text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n');
    expect(http.framer('s2c').frame(hugeChunk, 0, hugeChunk.length)).toBe(INVALID);
    const small = http.framer('c2s', { maxPdu: put.length - 1 });
    expect(small.frame(put, 0, put.length)).toBe(INVALID);
    expect(http.framer('c2s', { maxPdu: put.length }).frame(put, 0, put.length)).toBe(put.length);
    const endless = concatBytes([text('GET / HTTP/1.1\r\n'), text('X: y\r\n'.repeat(20))]);
    const f = http.framer('c2s', { maxPdu: 64 });
    expect(f.frame(endless, 0, 63)).toBe(NEED_MORE);
    expect(f.frame(endless, 0, endless.length)).toBe(INVALID);
    const close = http.framer('s2c', { maxPdu: 40 });
    const long = concatBytes([text('HTTP/1.1 200 OK\r\n\r\n'), new Uint8Array(40)]);
    expect(close.frame(long, 0, long.length)).toBe(INVALID);
    // The deframer skips the oversized message and finds the next one.
    const d = new StreamDeframer(http.framer('c2s', { maxPdu: 200 }));
    const out = d.push(concatBytes([huge, ping]));
    expect(toHex(out.at(-1)!.bytes)).toBe(toHex(ping));
    expect(out.slice(0, -1).every((p) => p.skipped)).toBe(true);
  });
});

describe('http detection and direction', () => {
  it('detects every request and response fixture whose first line is valid (§7 row 6)', () => {
    for (const f of fixtures) {
      if (f.file.startsWith('45-')) continue; // no version: not HTTP/1.x
      expect(http.detect(f.bytes), f.file).toBe(true);
    }
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']) expect(http.detect(text(`${m} /x HTTP/1.0\r\n`)), m).toBe(true);
    expect(http.ports).toEqual([4171, 8710]);
  });

  it('does not detect other protocols, unlisted methods or lines without a version', () => {
    const others = [
      '2020563100000000', // push magic
      toHex(text('SUB 1030391111929\n')), toHex(text('PUB 1 2 3\n')), toHex(text('H\n')), toHex(text('IDENTIFY\n')),
      '0000002000000003322031303330333931313131393239203330303030303030303030', // push Ack
      '010009000000ea030000010000000000000000000400' + '64656d6f', // flyer ShakeHand
      '0000000c0007000100010000', // tt Heartbeat
      'f66600000000000000090102000000000000000f7b22726571756573744964223a397d', // hodor C
      toHex(text('CONNECT host:443 HTTP/1.1\r\n')), toHex(text('GET /ping\r\n')), toHex(text('GET  / HTTP/1.1')),
      toHex(text('HTTP/2 200\r\n')), toHex(text('get / HTTP/1.1\r\n')), toHex(text('POST')),
    ].map((h) => fromHex(h));
    for (const id of fixtureProtocols().filter((p) => p !== 'http')) for (const f of loadFixtures(id)) others.push(f.bytes);
    for (const b of others) expect(http.detect(b), toHex(b.subarray(0, 16))).toBe(false);
  });

  it('guesses the direction from the first bytes', () => {
    for (const f of fixtures) expect(http.guessDirection(f.bytes), f.file).toBe(f.direction);
    expect(http.guessDirection(new Uint8Array(0))).toBe('c2s');
  });

  it('names a PDU by its start line even when it was sent the other way (with an info note)', () => {
    const d = http.decode(ok, 'c2s');
    expect(d.message).toBe('Response');
    expect(d.notes).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(http.decode(new Uint8Array(0), 's2c').message).toBe('Response');
    expect(http.decode(text('garbage'), 'c2s')).toMatchObject({ message: 'Request', malformed: true });
  });
});

describe('http pairing and peek', () => {
  it('pairs first-in-first-out in the lane "http"; interim 1xx responses expect more', () => {
    expect(http.peek(ping, 'c2s').pair).toEqual({ role: 'request', fifo: 'http' });
    expect(http.peek(ok, 's2c').pair).toEqual({ role: 'response', fifo: 'http' });
    expect(http.peek(fx('36-').bytes, 's2c').pair).toEqual({ role: 'response', fifo: 'http', more: true });
    expect(http.peek(text('HTTP/1.1 101 Switching Protocols\r\n\r\n'), 's2c').pair).toEqual({ role: 'response', fifo: 'http' });
    expect(http.peek(text('\u0001\u0002'), 's2c')).toMatchObject({ pair: { role: 'none' }, malformed: true });
  });

  it('summarises from the start line alone, the same way decode does', () => {
    const s = (p: string) => { const f = fx(p); return http.peek(f.bytes, f.direction, { context: f.context }).summary; };
    expect(s('01-')).toBe('Request method=POST uri=/registration?serial_no=SOHUNO20140401XX&device_type=3&device_name=test api=push.registration');
    expect(s('02-')).toBe('Response status=200 reason=OK api=push.registration');
    expect(s('06-')).toBe('Response status=400 reason="Bad Request"');
    expect(s('21-')).toBe('Request method=GET uri=/ping api=push.ping');
    expect(s('25-')).toBe('Request method=GET uri=/favicon.ico');
    expect(s('32-')).toBe('Request method=POST uri=/registration?serial_no=SOHUNO20140401XX&device_type=3&device_name=%E6%90%9C%E7… api=push.registration');
    expect(s('43-')).toBe('Response status=204');
    expect(s('45-')).toBe('Request malformed line="GET /ping"');
    for (const f of fixtures) expect(http.decode(f.bytes, f.direction, { context: f.context }).summary, f.file).toBe(s(f.file.slice(0, 3)));
  });

  it('peeks fast (well under a microsecond for a typical PDU)', () => {
    const req = fx('01-').bytes;
    const res = fx('02-').bytes;
    for (let i = 0; i < 20000; i++) { http.peek(req, 'c2s'); http.peek(res, 's2c'); }
    const n = 100000;
    const t = performance.now();
    for (let i = 0; i < n; i++) { http.peek(req, 'c2s'); http.peek(res, 's2c'); }
    const ns = ((performance.now() - t) * 1e6) / (2 * n);
    expect(ns).toBeLessThan(5000); // loose bound for slow CI; typically a few hundred ns
  });
});

describe('http framing of a response by its request (FramerExchange)', () => {
  const headReply = fx('46-').bytes;
  const head = text('HEAD /info HTTP/1.1\r\nHost: x\r\n\r\n');
  const cont = text('HTTP/1.1 100 Continue\r\n\r\n');

  it('frames a HEAD reply without its announced body when both framers share an exchange; a 100 is interim', () => {
    const exchange: FramerExchange = { pending: [] };
    expect(hexes(deframeAll(http.framer('c2s', { exchange }), concatBytes([head, ping])).pdus)).toEqual([toHex(head), toHex(ping)]);
    expect(exchange.pending).toEqual(['HEAD', 'GET']);
    const replies = deframeAll(http.framer('s2c', { exchange }), concatBytes([cont, headReply, ok]));
    expect(hexes(replies.pdus)).toEqual([toHex(cont), toHex(headReply), toHex(ok)]);
    expect(replies.remainder.length).toBe(0);
    expect(exchange.pending).toEqual([]);
  });

  it('frames alone without an exchange: the HEAD reply waits for the body its Content-Length announces', () => {
    const alone = deframeAll(http.framer('s2c'), concatBytes([headReply, ok]));
    expect(hexes(alone.pdus)).not.toContain(toHex(headReply));
  });

  it('remembers at most 1024 unanswered requests', () => {
    const exchange: FramerExchange = { pending: [] };
    deframeAll(http.framer('c2s', { exchange }), concatBytes(Array.from({ length: 1500 }, () => head)));
    expect(exchange.pending.length).toBe(1024);
  });

  it('gives a response the method and target of its request (Protocol.requestContext)', () => {
    expect(http.requestContext!(put)).toEqual({ requestMethod: 'POST', requestUri: '/put?channel_id=1&device_type=0' });
    expect(http.requestContext!(text('garbage'))).toBeUndefined();
  });
});

describe('http response context', () => {
  it('takes http.api from the paired request target, absent without it', () => {
    const f = fx('05-');
    expect(flattenFields(http.decode(f.bytes, 's2c', { context: f.context }).tree)['http.api']).toBe('push.registration');
    expect(flattenFields(http.decode(f.bytes, 's2c').tree)['http.api']).toBeUndefined();
    const abs = http.decode(f.bytes, 's2c', { context: { requestUri: 'http://www.hodor-scheduler.com/registry' } });
    expect(flattenFields(abs.tree)['http.api']).toBe('hodor.registry');
  });

  it('names push code 9 per server', () => {
    const f = fx('17-');
    const code = (ctx?: Record<string, unknown>) => {
      const tree = http.decode(f.bytes, 's2c', { context: ctx }).tree;
      const found: string[] = [];
      const walk = (ns: typeof tree) => ns.forEach((n) => { if (n.abbrev === 'http.json.code') found.push(n.display!); walk(n.children ?? []); });
      walk(tree);
      return found[0];
    };
    expect(code({ requestUri: '/put' })).toBe('9 (NoSubErr)');
    expect(code({ requestUri: '/registration' })).toBe('9 (SerialNoErr)');
    expect(code()).toBe('9 (SerialNoErr (router) / NoSubErr (worker))');
  });

  it('a HEAD reply has no body whatever Content-Length says; without the context it is a truncated body', () => {
    const f = fx('46-');
    expect(http.decode(f.bytes, 's2c', { context: { requestMethod: 'head' } }).malformed).toBe(false);
    expect(http.decode(f.bytes, 's2c').malformed).toBe(true);
  });
});

describe('http message document and encode', () => {
  const reply = (): Doc => structuredClone(http.decode(fx('02-').bytes, 's2c').value);

  it('computes a Content-Length left without value, so an edited body stays consistent', () => {
    const doc = reply();
    expect(doc.headers).toContainEqual({ name: 'Content-Length' });
    doc.body = '{"code":0,"msg":"OK","data":null}';
    const bytes = http.encode('Response', 's2c', doc);
    expect(new TextDecoder().decode(bytes)).toContain('Content-Length: 33\r\n\r\n{"code":0');
    const back = http.decode(bytes, 's2c');
    expect(back.malformed).toBe(false);
    expect(back.value).toEqual(doc);
    expect(http.framer('s2c').frame(bytes, 0, bytes.length)).toBe(bytes.length);
  });

  it('keeps a Content-Length given explicitly, even a wrong one (deliberately broken frames)', () => {
    const doc = reply();
    (doc.headers as Doc[])[2] = { name: 'Content-Length', value: '3' };
    const bytes = http.encode('Response', 's2c', doc);
    expect(new TextDecoder().decode(bytes)).toContain('Content-Length: 3\r\n\r\n{"code"');
    const d = http.decode(bytes, 's2c');
    expect(d.notes.map((n) => n.message)).toContainEqual(expect.stringContaining('trailing'));
  });

  it('writes the standard reason phrase when reason is absent, none when it is null', () => {
    const r = (doc: Doc) => new TextDecoder().decode(http.encode('Response', 's2c', doc)).split('\r\n')[0];
    expect(r({ status_code: 404, headers: [] })).toBe('HTTP/1.1 404 Not Found');
    expect(r({ status_code: 299, headers: [] })).toBe('HTTP/1.1 299 ');
    expect(r({ status_code: 200, reason: null, headers: [] })).toBe('HTTP/1.1 200');
    expect(r({ version: 'HTTP/1.0', status_code: 200, reason: 'Fine', headers: [] })).toBe('HTTP/1.0 200 Fine');
  });

  it('sends a chunked body as one chunk by default, or with the given boundaries', () => {
    const head = { status_code: 200, reason: 'OK', headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] };
    const one = http.encode('Response', 's2c', { ...head, body: 'hello world' });
    expect(new TextDecoder().decode(one)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n');
    const empty = http.encode('Response', 's2c', head);
    expect(new TextDecoder().decode(empty)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(http.decode(empty, 's2c').value).toEqual({ ...head, version: 'HTTP/1.1' });
    const split = { ...head, version: 'HTTP/1.1', body: 'hello world', bodyEncoding: 'text', chunks: [5, { length: 6, ext: ';x' }], trailers: [{ name: 'X-Sum', value: '1' }] };
    const bytes = http.encode('Response', 's2c', split);
    expect(new TextDecoder().decode(bytes)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n');
    expect(http.decode(bytes, 's2c').value).toEqual(split);
  });

  it('puts JSON under the chunk that holds it, or over the chunks when it spans several', () => {
    const inOne = text('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n1\r\n\n\r\n0\r\n\r\n');
    const d = http.decode(inOne, 's2c');
    const body = d.tree[0].children!.find((n) => n.abbrev === 'http.body')!;
    expect(body.children!.map((n) => n.label)).toEqual(['chunk[0]', 'chunk[1]', 'Last chunk']);
    expect(body.children![0].children![1].children![0].children![0]).toMatchObject({ abbrev: 'http.json.a', value: 1 });
    expect(d.value.chunks).toEqual([7, 1]);
    expect(rangeViolations(d.tree)).toEqual([]);
    const spans = http.decode(fx('29-').bytes, 's2c');
    const body2 = spans.tree[0].children!.find((n) => n.abbrev === 'http.body')!;
    expect(body2.children!.map((n) => n.label)).toEqual(['JSON', 'Last chunk']);
  });

  it('round-trips the close-delimited fixture (its fixture cannot: every prefix is valid too)', () => {
    const d = http.decode(closeDelimited.bytes, 's2c');
    expect(d.malformed).toBe(false);
    expect(toHex(http.encode('Response', 's2c', d.value))).toBe(toHex(closeDelimited.bytes));
  });

  it('keeps lines that are not UTF-8 as hex, byte-exact', () => {
    const raw = concatBytes([text('HTTP/1.1 200 OK\r\nX-Name: '), fromHex('c8d5b1a8'), text('\r\nContent-Length: 0\r\n\r\n')]);
    const d = http.decode(raw, 's2c');
    expect(d.value.headers).toContainEqual({ lineHex: toHex(concatBytes([text('X-Name: '), fromHex('c8d5b1a8')])) });
    expect(toHex(http.encode('Response', 's2c', d.value))).toBe(toHex(raw));
    expect(rangeViolations(d.tree)).toEqual([]);
  });

  it('keeps a body that is not UTF-8 as hex and a leading BOM as text', () => {
    expect(http.decode(fx('37-').bytes, 'c2s').value).toMatchObject({ body: '089601fffe001234', bodyEncoding: 'hex' });
    const bom = concatBytes([text('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), fromHex('efbbbf4f4b')]);
    const d = http.decode(bom, 's2c');
    expect(d.value).toMatchObject({ body: '\ufeffOK', bodyEncoding: 'text' });
    expect(toHex(http.encode('Response', 's2c', d.value))).toBe(toHex(bom));
  });

  it('flattens JSON bodies: declared, sniffed from "{", arrays as repeated fields; not when compressed', () => {
    const res = (headers: string, body: string) => http.decode(text(`HTTP/1.1 200 OK\r\n${headers}Content-Length: ${utf8(body).length}\r\n\r\n${body}`), 's2c');
    const arr = res('Content-Type: application/json\r\n', '{"data":[{"id":1},{"id":2}],"n":12345678901234567890}');
    expect(flattenFields(arr.tree)).toMatchObject({ 'http.json.data.id': [1, 2], 'http.json.n': '12345678901234567890' });
    expect(rangeViolations(arr.tree)).toEqual([]);
    expect(flattenFields(res('', '{"a":true}').tree)['http.json.a']).toBe(true);
    expect(flattenFields(res('', '[1]').tree)['http.json']).toBeUndefined();
    const gz = res('Content-Type: application/json\r\nContent-Encoding: gzip\r\n', '{"a":1}');
    expect(flattenFields(gz.tree)['http.json.a']).toBeUndefined();
    expect(gz.notes).toEqual([expect.objectContaining({ severity: 'info' })]);
    expect(res('Content-Type: application/json\r\n', '{bad').notes).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('not valid JSON') })]);
  });

  it('decodes query parameters as Go does: + is a space, %XX bytes are UTF-8, broken escapes stay as written', () => {
    const d = (s: string) => formDecode(text(s), 0, s.length);
    expect(d('a+b%20c')).toEqual({ text: 'a b c' });
    expect(d('%E6%90%9C%E7%8B%90')).toEqual({ text: '搜狐' });
    expect(d('100%')).toMatchObject({ text: '100%', problem: expect.stringContaining('percent') });
    expect(d('%ff')).toMatchObject({ text: '\ufffd', problem: expect.stringContaining('UTF-8') });
    const req = http.decode(text('GET /put?channel_id=1&channel_id=2&&flag&=x HTTP/1.1\r\n\r\n'), 'c2s');
    expect(flattenFields(req.tree)).toMatchObject({ 'http.query.channel_id': ['1', '2'], 'http.query.flag': '' });
  });

  it('throws EncodeError naming the field at fault', () => {
    const err = (message: string, value: Doc, field: string) => {
      expect(() => http.encode(message, message === 'Response' ? 's2c' : 'c2s', value)).toThrow(EncodeError);
      expect(() => http.encode(message, message === 'Response' ? 's2c' : 'c2s', value)).toThrow(field);
    };
    const req = { method: 'GET', uri: '/ping', headers: [] };
    err('Unknown', {}, 'Request and Response');
    err('Request', { ...req, status_code: 200 }, 'http.status_code');
    err('Response', { status_code: 200, method: 'GET', headers: [] }, 'http.method');
    err('Response', { headers: [] }, 'http.status_code');
    err('Response', { status_code: 1000, headers: [] }, 'http.status_code');
    err('Request', { ...req, method: 'G T' }, 'http.method');
    err('Request', { ...req, method: 'get' }, 'http.method');
    err('Request', { ...req, version: 'HTTP/2.0' }, 'http.version');
    err('Response', { status_code: 200, version: '', headers: [] }, 'http.version');
    err('Request', { ...req, uri: '/a b' }, 'http.uri');
    err('Request', { ...req, uri: '/a\r\nX: 1' }, 'http.uri');
    err('Request', { ...req, uri: '' }, 'http.uri');
    err('Request', { ...req, headers: [{ name: 'X', value: 'a\nb' }] }, 'http.header.x');
    err('Request', { ...req, headers: [{ name: 'X' }] }, 'http.header.x');
    err('Request', { ...req, headers: [{ name: 'X:Y', value: '1' }] }, 'http.headers[0].name');
    err('Request', { ...req, headers: [{ name: 'X', value: '1', sep: '=' }] }, 'http.header.x');
    err('Request', { ...req, headers: 'Host: x' }, 'http.headers');
    err('Request', { ...req, headers: [{ lineHex: '0d0a' }] }, 'http.headers[0].lineHex');
    err('Request', { ...req, method: 'POST', body: 'hello' }, 'http.header.content-length');
    err('Request', { ...req, headers: [{ name: 'Content-Length' }], body: 'zz', bodyEncoding: 'hex' }, 'http.body');
    err('Request', { ...req, headers: [{ name: 'Content-Length' }], body: 'x', bodyEncoding: 'base64' }, 'http.bodyEncoding');
    err('Request', { ...req, body: 5 }, 'http.body');
    err('Response', { status_code: 204, headers: [], body: 'x' }, 'http.body');
    err('Response', { status_code: 200, headers: [], chunks: [1], body: 'x' }, 'http.chunks');
    const chunked = { status_code: 200, headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] };
    err('Response', { ...chunked, body: 'abc', chunks: [1, 1] }, 'http.chunks');
    err('Response', { ...chunked, body: 'abc', chunks: [4] }, 'http.chunks');
    err('Response', { ...chunked, body: 'abc', chunks: [{ length: 3, size: 'xyz' }] }, 'http.chunks[0].size');
    err('Response', { ...chunked, lastChunk: '1' }, 'http.lastChunk');
    err('Response', { ...chunked, headers: [...chunked.headers, { name: 'Content-Length' }] }, 'http.header.content-length');
  });
});

describe('http messages, catalog, robustness', () => {
  it('lists Request (c2s, answered by Response) and Response (s2c)', () => {
    expect(http.messages.map((m) => [m.name, m.direction, m.replies])).toEqual([['Request', 'c2s', ['Response']], ['Response', 's2c', undefined]]);
  });

  it('templates encode into valid PDUs that decode cleanly back to the template', () => {
    for (const m of http.messages) {
      const dir: Direction = m.direction === 's2c' ? 's2c' : 'c2s';
      const t = m.template();
      const bytes = http.encode(m.name, dir, t);
      const d = http.decode(bytes, dir);
      expect(d.message, m.name).toBe(m.name);
      expect(d.notes, m.name).toEqual([]);
      expect(d.value, m.name).toEqual(t);
      expect(http.detect(bytes), m.name).toBe(true);
      expect(http.framer(dir).frame(bytes, 0, bytes.length)).toBe(bytes.length);
      expect(m.schema.title).toBe(m.name);
      for (const key of Object.keys(t)) expect(m.schema.properties, `${m.name}.${key}`).toHaveProperty(key);
    }
  });

  it('catalogs every §6.2 field once, with dynamic bases for queries, headers and JSON', () => {
    const abbrevs = http.catalog.map((c) => c.abbrev);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    for (const name of ['method', 'uri', 'path', 'version', 'status_code', 'reason', 'content_length', 'body', 'api',
      'query.serial_no', 'query.device_type', 'query.device_name', 'query.channel_id', 'header.content-type',
      'json.code', 'json.msg', 'json.data.broker', 'json.data.device_id', 'json.data.version', 'json.type']) expect(abbrevs).toContain(`http.${name}`);
    for (const base of ['http.query.', 'http.header.', 'http.json.']) expect(http.catalog.find((c) => c.abbrev === base)?.dynamic, base).toBe(true);
    expect(http.catalog.find((c) => c.abbrev === 'http.api')!.generated).toBe(true);
  });

  it('never throws on random input, and peek agrees with decode', () => {
    const alphabet = fc.constantFrom(...'GET POST HTTP/1.1 200 OK\r\n:;0123456789abcdef{}"Content-Length: Transfer-Encoding: chunked\r\n'.split(''));
    const textish = fc.array(alphabet, { maxLength: 120 }).map((cs) => text(cs.join('')));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), textish), fc.constantFrom<Direction>('c2s', 's2c'), (b, dir) => {
      const d = http.decode(b, dir);
      expect(d.tree[0].length).toBe(b.length);
      expect(rangeViolations(d.tree)).toEqual([]);
      expect(http.peek(b, dir).summary).toBe(d.summary);
      http.framer(dir).frame(b, 0, b.length);
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.constantFrom(...fixtures), fc.nat(400), fc.integer({ min: 0, max: 255 }), (f, at, v) => {
      const b = f.bytes.slice();
      if (at < b.length) b[at] = v;
      const d = http.decode(b, f.direction, { context: f.context });
      expect(rangeViolations(d.tree)).toEqual([]);
    }), { numRuns: 3000 });
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TcpReassembler, type ReassemblyEvent, type TcpReassemblyOptions } from '../../../../electron/engine/capture/tcp-reassembly';
import { TcpFlag, type TcpSegment } from '../../../../electron/engine/net/tcp-segment';

const { SYN, ACK, FIN, RST, PSH } = TcpFlag;
type Side = { ip: string; port: number };
const C4 = { ip: '10.0.0.1', port: 50000 };
const S4 = { ip: '10.0.0.2', port: 20180 };
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Feeds hand-written segments and keeps the events as one readable line each. */
class Script {
  readonly r: TcpReassembler;
  readonly events: ReassemblyEvent[] = [];
  private packet = 0;
  last: TcpSegment | undefined;
  constructor(options: TcpReassemblyOptions = {}, readonly client: Side = C4, readonly server: Side = S4) {
    this.r = new TcpReassembler(options);
  }

  /** One segment from the client ('c') or the server ('s'). Time is in seconds. */
  send(from: 'c' | 's', seq: number, data: string | Uint8Array = '', flags: number = ACK, ack = 0, seconds = 0): this {
    const [a, b] = from === 'c' ? [this.client, this.server] : [this.server, this.client];
    const segment: TcpSegment = {
      ipVersion: a.ip.includes(':') ? 6 : 4, src: a.ip, dst: b.ip, srcPort: a.port, dstPort: b.port,
      seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535, payload: typeof data === 'string' ? utf8(data) : data, notes: [],
    };
    this.last = segment;
    this.r.push(segment, BigInt(Math.round(seconds * 1e9)), ++this.packet, this.events);
    return this;
  }

  lines(): string[] {
    return this.events.map(line);
  }

  /** Everything delivered in one direction, in order, gaps shown as '_'. */
  stream(direction: 'c2s' | 's2c', connectionId = 1): string {
    let out = '';
    for (const e of this.events) {
      if (e.type === 'data' && e.direction === direction && e.connectionId === connectionId) {
        expect(e.offset).toBe(out.length);
        out += new TextDecoder().decode(e.bytes);
      } else if (e.type === 'gap' && e.direction === direction && e.connectionId === connectionId) {
        expect(e.offset).toBe(out.length);
        out += '_'.repeat(e.length);
      }
    }
    return out;
  }
}

const lastSegment = (s: Script): TcpSegment => s.last!;

function line(e: ReassemblyEvent): string {
  switch (e.type) {
    case 'open': return `open #${e.connection.id} ${e.connection.start} ${e.connection.client.ip}:${e.connection.client.port} -> ${e.connection.server.ip}:${e.connection.server.port}`;
    case 'data': return `data ${e.direction} @${e.offset} "${new TextDecoder().decode(e.bytes)}"`;
    case 'gap': return `gap ${e.direction} @${e.offset} +${e.length} ${e.reason}`;
    case 'overlap': return `overlap ${e.direction} @${e.offset} +${e.length}`;
    case 'fin': return `fin ${e.direction} @${e.offset}`;
    case 'close': return `close #${e.connectionId} ${e.reason} by ${e.by}`;
  }
}

const ISN_C = 1000;
const ISN_S = 5000;
/** A handshake: client data then starts at ISN_C + 1, server data at ISN_S + 1. */
const handshake = (s: Script) => s.send('c', ISN_C, '', SYN).send('s', ISN_S, '', SYN | ACK, ISN_C + 1).send('c', ISN_C + 1, '', ACK, ISN_S + 1);
const c = ISN_C + 1;
const sv = ISN_S + 1;

describe('TCP reassembly', () => {
  it('a whole connection: handshake, data both ways, FIN both ways', () => {
    const s = handshake(new Script())
      .send('c', c, 'hello', PSH | ACK, sv)
      .send('s', sv, 'world!', PSH | ACK, c + 5)
      .send('c', c + 5, '', FIN | ACK, sv + 6)
      .send('s', sv + 6, '', FIN | ACK, c + 6)
      .send('c', c + 6, '', ACK, sv + 7);
    expect(s.lines()).toEqual([
      'open #1 syn 10.0.0.1:50000 -> 10.0.0.2:20180',
      'data c2s @0 "hello"',
      'data s2c @0 "world!"',
      'fin c2s @5',
      'fin s2c @6',
      'close #1 fin by c2s',
    ]);
    const data = s.events.filter((e) => e.type === 'data');
    expect(data.map((e) => e.type === 'data' && e.packet)).toEqual([4, 5]); // the caller's packet numbers
  });

  it('buffers out-of-order segments and delivers them in order', () => {
    const s = handshake(new Script())
      .send('c', c + 10, 'KLMNO')
      .send('c', c + 5, 'FGHIJ')
      .send('c', c, 'ABCDE')
      .send('c', c + 15, 'P');
    expect(s.lines().slice(1)).toEqual([
      'data c2s @0 "ABCDE"',
      'data c2s @5 "FGHIJ"',
      'data c2s @10 "KLMNO"',
      'data c2s @15 "P"',
    ]);
  });

  it('drops retransmissions silently when they agree, and reports conflicting ones (first copy wins)', () => {
    const s = handshake(new Script())
      .send('c', c, 'ABCDEFGHIJ')
      .send('c', c, 'ABCDEFGHIJ') // plain retransmission
      .send('c', c + 5, 'FGHIJKLMNO') // half old, half new
      .send('c', c + 2, 'cd') // conflicts with delivered bytes
      .send('c', c + 20, 'UVWXY') // held
      .send('c', c + 18, 'STuvWXyZ') // overlaps the held piece with different bytes
      .send('c', c + 15, 'PQR');
    expect(s.lines().slice(1)).toEqual([
      'data c2s @0 "ABCDEFGHIJ"',
      'data c2s @10 "KLMNO"',
      'overlap c2s @2 +2',
      'overlap c2s @20 +5',
      'data c2s @15 "PQR"',
      'data c2s @18 "ST"',
      'data c2s @20 "UVWXY"',
      'data c2s @25 "Z"',
    ]);
    expect(s.stream('c2s')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });

  it('skips bytes the peer acknowledged but the capture never saw', () => {
    const s = handshake(new Script())
      .send('c', c, 'ABCDE')
      .send('c', c + 10, 'KLMNO') // c+5..c+10 never captured
      .send('s', sv, '', ACK, c + 15); // the server got them all
    expect(s.lines().slice(1)).toEqual(['data c2s @0 "ABCDE"', 'gap c2s @5 +5 acked-unseen', 'data c2s @10 "KLMNO"']);
    // An ACK past everything seen: the missing tail is skipped too, and later data lands at the right offset.
    s.send('s', sv, '', ACK, c + 20).send('c', c + 20, 'UV');
    expect(s.lines().slice(4)).toEqual(['gap c2s @15 +5 acked-unseen', 'data c2s @20 "UV"']);
  });

  it('gives up on a hole after the timeout, or when the buffer is full, or at the end of the capture', () => {
    const timeout = new Script({ gapTimeoutNs: 2_000_000_000n }).send('c', 100, 'AB', ACK, 0, 0).send('c', 104, 'EF', ACK, 0, 1);
    expect(timeout.lines().slice(1)).toEqual(['data c2s @0 "AB"']);
    timeout.send('s', 900, 'x', ACK, 102, 3.5); // 2.5 s later, on any packet of the connection
    expect(timeout.lines().slice(2)).toEqual(['data s2c @0 "x"', 'gap c2s @2 +2 timeout', 'data c2s @4 "EF"']);

    const full = new Script({ maxBufferedBytes: 8 }).send('c', 100, 'AB').send('c', 104, 'EFGH').send('c', 110, 'KLMNO');
    // 9 bytes held > 8: only the first hole is given up, which brings the buffer back under its bound.
    expect(full.lines().slice(1)).toEqual(['data c2s @0 "AB"', 'gap c2s @2 +2 buffer-full', 'data c2s @4 "EFGH"']);

    const segments = new Script({ maxBufferedSegments: 2 }).send('c', 100, 'A').send('c', 102, 'C').send('c', 104, 'E').send('c', 106, 'G');
    expect(segments.stream('c2s')).toBe('A_C'); // 3 held > 2: the first hole goes
    segments.r.end(undefined, segments.events);
    expect(segments.stream('c2s')).toBe('A_C_E_G');

    const end = new Script().send('c', 100, 'AB').send('c', 104, 'EF', FIN | ACK);
    expect(end.lines().slice(1)).toEqual(['data c2s @0 "AB"']);
    end.r.end(undefined, end.events);
    expect(end.lines().slice(2)).toEqual(['gap c2s @2 +2 end', 'data c2s @4 "EF"', 'fin c2s @6']);
  });

  it('expire() delivers held data of idle connections (live capture) and forgets closed ones', () => {
    const s = new Script({ gapTimeoutNs: 1_000_000_000n, closedLingerNs: 5_000_000_000n })
      .send('c', 100, 'A', ACK, 0, 0)
      .send('c', 102, 'C', ACK, 0, 0);
    s.r.expire(500_000_000n, s.events);
    expect(s.stream('c2s')).toBe('A');
    s.r.expire(1_500_000_000n, s.events);
    expect(s.stream('c2s')).toBe('A_C');
    s.send('c', 103, '', RST, 0, 2);
    expect(s.r.size).toBe(1);
    s.r.expire(8_000_000_000n);
    expect(s.r.size).toBe(0);
  });

  it('a connection already open when the capture started: the higher port is the client', () => {
    const s = new Script()
      .send('s', 7000, 'response', PSH | ACK, 3000) // the server speaks first in the capture
      .send('c', 3000, 'request', PSH | ACK, 7008);
    expect(s.lines()).toEqual([
      'open #1 midstream 10.0.0.1:50000 -> 10.0.0.2:20180',
      'data s2c @0 "response"',
      'data c2s @0 "request"',
    ]);
  });

  it('mid-stream: a known server port wins over the port rule, and equal ports fall back to the first sender', () => {
    const serverLow = { ip: '10.0.0.9', port: 46367 }; // hodor's executor port …
    const clientLower = { ip: '10.0.0.8', port: 40000 }; // … with an ephemeral port below it
    const guessed = new Script({}, clientLower, serverLow).send('c', 1, 'x');
    expect(guessed.lines()[0]).toBe('open #1 midstream 10.0.0.9:46367 -> 10.0.0.8:40000'); // higher port rule: wrong here
    const known = new Script({ isServerPort: (p) => p === 46367 }, clientLower, serverLow).send('s', 1, 'x');
    expect(known.lines()[0]).toBe('open #1 midstream 10.0.0.8:40000 -> 10.0.0.9:46367');
    const same = new Script({}, { ip: '10.0.0.1', port: 7000 }, { ip: '10.0.0.2', port: 7000 }).send('s', 1, 'x').send('c', 5, 'y');
    expect(same.lines()).toEqual(['open #1 midstream 10.0.0.2:7000 -> 10.0.0.1:7000', 'data c2s @0 "x"', 'data s2c @0 "y"']);
  });

  it('a SYN+ACK seen without its SYN still tells who the client is and where its stream starts', () => {
    const s = new Script()
      .send('s', ISN_S, '', SYN | ACK, ISN_C + 1)
      .send('c', c + 3, 'DEF') // the first 3 client bytes were not captured
      .send('c', c, 'ABC');
    expect(s.lines()).toEqual(['open #1 syn-ack 10.0.0.1:50000 -> 10.0.0.2:20180', 'data c2s @0 "ABC"', 'data c2s @3 "DEF"']);
  });

  it('IPv6', () => {
    const s = new Script({}, { ip: '2001:db8::a', port: 40000 }, { ip: '2001:db8::1', port: 8600 });
    handshake(s).send('c', c, 'v6 bytes').send('s', sv, 'back');
    expect(s.lines()).toEqual(['open #1 syn 2001:db8::a:40000 -> 2001:db8::1:8600', 'data c2s @0 "v6 bytes"', 'data s2c @0 "back"']);
    expect(s.events[0].type === 'open' && s.events[0].connection.ipVersion).toBe(6);
  });

  it('sequence numbers wrapping past 2^32, in order and out of order', () => {
    const isn = 0xfffffff8;
    const s = new Script()
      .send('c', isn, '', SYN)
      .send('c', isn + 1, 'ABCD') // offsets 0..3, seq ...fffc..ffff
      .send('c', (isn + 9) >>> 0, 'IJ') // after the wrap, held
      .send('c', (isn + 5) >>> 0, 'EFGH') // crosses 0
      .send('s', 1, '', ACK, (isn + 11) >>> 0);
    expect(s.stream('c2s')).toBe('ABCDEFGHIJ');
    expect(s.lines().slice(1).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['data c2s @0', 'data c2s @4', 'data c2s @8']);
  });

  it('stream offsets go past 4 GiB', () => {
    // Large skips (peer ACKs of unseen data) move the stream along without sending gigabytes.
    const s = new Script().send('c', 0, 'A');
    let seq = 1;
    const step = 0x7fff0000;
    for (let i = 0; i < 3; i++) {
      seq = (seq + step) >>> 0;
      s.send('s', 9, '', ACK, seq);
    }
    s.send('c', seq, 'Z');
    const last = s.events[s.events.length - 1];
    expect(last.type === 'data' && last.offset).toBe(1 + 3 * step);
    expect(1 + 3 * step).toBeGreaterThan(2 ** 32);
  });

  it('RST closes at once, after giving up the holes', () => {
    const s = handshake(new Script()).send('c', c, 'AB').send('c', c + 4, 'EF').send('s', sv, '', RST | ACK, c + 2);
    expect(s.lines().slice(1)).toEqual(['data c2s @0 "AB"', 'gap c2s @2 +2 rst', 'data c2s @4 "EF"', 'close #1 rst by s2c']);
    s.send('c', c + 6, 'late'); // nothing after a close
    expect(s.lines()).toHaveLength(5);
  });

  it('a failed connect: SYN answered by RST', () => {
    const s = new Script().send('c', ISN_C, '', SYN).send('s', 0, '', RST | ACK, ISN_C + 1);
    expect(s.lines()).toEqual(['open #1 syn 10.0.0.1:50000 -> 10.0.0.2:20180', 'close #1 rst by s2c']);
  });

  it('FIN: waits for the bytes before it, carries data, and nothing after it counts', () => {
    const s = handshake(new Script())
      .send('c', c + 3, 'DEF', FIN | ACK) // FIN with data, ahead of a hole
      .send('s', sv, 'ok', ACK | FIN, c); // the server closes too (its FIN is in order)
    expect(s.lines().slice(1)).toEqual(['data s2c @0 "ok"', 'fin s2c @2']);
    s.send('c', c + 7, 'junk after FIN').send('c', c, 'ABC');
    expect(s.lines().slice(3)).toEqual(['data c2s @0 "ABC"', 'data c2s @3 "DEF"', 'fin c2s @6', 'close #1 fin by s2c']);
  });

  it('a half-closed connection stays open; the last ACK after close is not a new connection', () => {
    const s = handshake(new Script()).send('c', c, 'bye', FIN | ACK).send('s', sv, 'still talking', ACK, c + 4);
    expect(s.lines().slice(1)).toEqual(['data c2s @0 "bye"', 'fin c2s @3', 'data s2c @0 "still talking"']);
    s.send('s', sv + 13, '', FIN | ACK, c + 4).send('c', c + 4, '', ACK, sv + 14).send('c', c + 4, '', ACK, sv + 14);
    expect(s.lines().slice(4)).toEqual(['fin s2c @13', 'close #1 fin by c2s']);
  });

  it('a new SYN on the same 4-tuple is a new connection; the same SYN again is not', () => {
    const s = handshake(new Script()).send('c', ISN_C, '', SYN).send('c', c, 'one').send('c', c + 3, '', RST);
    s.send('c', 90000, '', SYN).send('s', 1, '', SYN | ACK, 90001).send('c', 90001, 'two');
    expect(s.lines()).toEqual([
      'open #1 syn 10.0.0.1:50000 -> 10.0.0.2:20180',
      'data c2s @0 "one"',
      'close #1 rst by c2s',
      'open #2 syn 10.0.0.1:50000 -> 10.0.0.2:20180',
      'data c2s @0 "two"',
    ]);
    expect(s.stream('c2s', 2)).toBe('two');
  });

  it('several connections at once keep their streams apart', () => {
    const s = new Script();
    const other = new Script({}, { ip: '10.0.0.1', port: 50001 }, S4);
    const into = (from: Script) => (seq: number, text: string) => {
      from.send('c', seq, text);
      s.r.push(lastSegment(from), 0n, undefined, s.events);
    };
    const a = into(new Script({}, C4, S4));
    const b = into(other);
    a(10, 'A1');
    b(20, 'B1');
    a(12, 'A2');
    b(24, 'B3');
    b(22, 'B2');
    expect(s.stream('c2s', 1)).toBe('A1A2');
    expect(s.stream('c2s', 2)).toBe('B1B2B3');
    expect(s.r.size).toBe(2);
  });

  it('lost segments become gaps of exactly their size once the capture ends (property)', () => {
    const arb = fc.record({
      length: fc.integer({ min: 1, max: 300 }),
      cuts: fc.array(fc.nat(300), { maxLength: 30 }),
      lost: fc.array(fc.boolean(), { minLength: 31, maxLength: 31 }),
      isn: fc.integer({ min: 0, max: 0xffffffff }),
      reverse: fc.boolean(),
    });
    fc.assert(fc.property(arb, ({ length, cuts, lost, isn, reverse }) => {
      const text = Array.from({ length }, (_, i) => String.fromCharCode(65 + (i % 26))).join('');
      const points = [...new Set([0, ...cuts.filter((x) => x < length), length])].sort((x, y) => x - y);
      const segs = points.slice(1).map((end, i) => ({ at: points[i], text: text.slice(points[i], end), lost: lost[i] }));
      const kept = segs.filter((g) => !g.lost);
      const s = new Script().send('c', isn, '', SYN);
      for (const g of reverse ? [...kept].reverse() : kept) s.send('c', (isn + 1 + g.at) >>> 0, g.text);
      s.r.end(undefined, s.events);
      // Every byte up to the last one captured: itself if captured, '_' if lost.
      const lastKept = kept.reduce((n, g) => Math.max(n, g.at + g.text.length), 0);
      const expected = segs.map((g) => (g.lost ? '_'.repeat(g.text.length) : g.text)).join('').slice(0, lastKept);
      expect(s.stream('c2s')).toBe(expected);
    }), { numRuns: 500 });
  });

  it('any segmentation, reordering within the buffer and duplication gives the exact stream (property)', () => {
    const arb = fc.record({
      text: fc.string({ minLength: 1, maxLength: 400 }).map((t) => t.replace(/[^\x20-\x7e]/g, 'x')),
      cuts: fc.array(fc.nat(400), { maxLength: 40 }),
      isn: fc.integer({ min: 0, max: 0xffffffff }),
      order: fc.array(fc.nat(), { maxLength: 60 }),
      dups: fc.array(fc.nat(), { maxLength: 10 }),
    });
    fc.assert(fc.property(arb, ({ text, cuts, isn, order, dups }) => {
      const bytes = utf8(text);
      const points = [...new Set([0, ...cuts.filter((x) => x < bytes.length), bytes.length])].sort((x, y) => x - y);
      const segs = points.slice(1).map((end, i) => ({ at: points[i], bytes: bytes.subarray(points[i], end) }));
      for (const d of dups) segs.push(segs[d % segs.length]);
      // Shuffle with the generated order (a bounded buffer holds all of it: 400 bytes).
      order.forEach((o, i) => { const j = i % segs.length; const k = o % segs.length; [segs[j], segs[k]] = [segs[k], segs[j]]; });
      const s = new Script().send('c', isn, '', SYN);
      for (const g of segs) s.send('c', (isn + 1 + g.at) >>> 0, g.bytes);
      expect(s.stream('c2s')).toBe(text);
      expect(s.events.some((e) => e.type === 'gap' || e.type === 'overlap')).toBe(false);
    }), { numRuns: 500 });
  });
});

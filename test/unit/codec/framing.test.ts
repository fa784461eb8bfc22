import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '../../../shared/codec/bytes';
import { deframeAll, delimitedFramer, lengthPrefixedFramer, peekInt, StreamDeframer, type DeframedPdu } from '../../../shared/codec/framing';
import { INVALID, NEED_MORE } from '../../../shared/codec/protocol';

// [u16 BE magic ab cd][u32 BE total length][payload]
const framer = () => lengthPrefixedFramer({
  headerSize: 6, lengthAt: 2, lengthType: 'u4be', total: (n) => n, maxPdu: 1024,
  check: (b, off, avail) => (avail < 1 || b[off] === 0xab) && (avail < 2 || b[off + 1] === 0xcd),
});
const pdu = (payload: string) => fromHex(`abcd${(6 + payload.length / 2).toString(16).padStart(8, '0')}${payload}`);
const stream = [pdu('01'), pdu(''), pdu('0203040506'), pdu('ff'.repeat(300))];
const whole = concatBytes(stream);

function feed(chunks: Uint8Array[]): DeframedPdu[] {
  const d = new StreamDeframer(framer());
  const out: DeframedPdu[] = [];
  for (const c of chunks) d.push(c, out);
  return out;
}

describe('length-prefixed framing', () => {
  it('reports NEED_MORE, INVALID and lengths', () => {
    const f = framer();
    expect(f.frame(whole, 0, 3)).toBe(NEED_MORE);
    expect(f.frame(whole, 0, 6)).toBe(NEED_MORE);
    expect(f.frame(whole, 0, whole.length)).toBe(7);
    expect(f.frame(fromHex('00'), 0, 1)).toBe(INVALID);
    expect(f.frame(fromHex('abcd00000002'), 0, 6)).toBe(INVALID); // shorter than its own header
  });

  it('cuts many PDUs from one chunk, as views of the chunk', () => {
    const out = feed([whole]);
    expect(out.map((p) => toHex(p.bytes))).toEqual(stream.map((p) => toHex(p)));
    expect(out.map((p) => p.offset)).toEqual([0, 7, 13, 24]);
    expect(out[0].bytes.buffer).toBe(whole.buffer);
  });

  it('gives the same PDUs whatever the chunking (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: whole.length }), { maxLength: 20 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const chunks: Uint8Array[] = [];
      let at = 0;
      for (const p of [...points, whole.length]) { if (p > at) chunks.push(whole.slice(at, p)); at = p; }
      const out = feed(chunks);
      expect(out.map((p) => toHex(p.bytes))).toEqual(stream.map((p) => toHex(p)));
      expect(out.map((p) => p.offset)).toEqual([0, 7, 13, 24]);
    }));
  });

  it('delivers a PDU split at every byte boundary, one byte at a time', () => {
    const out = feed(Array.from(whole, (b) => Uint8Array.of(b)));
    expect(out.map((p) => toHex(p.bytes))).toEqual(stream.map((p) => toHex(p)));
  });

  it('skips garbage and a stream joined mid-way, marking the skipped bytes, then resynchronises', () => {
    const garbage = fromHex('0011ab22');
    const out = feed([concatBytes([garbage, stream[0]]), concatBytes([fromHex('99'), stream[1]])]);
    expect(out.map((p) => [p.offset, p.skipped ?? false, toHex(p.bytes)])).toEqual([
      [0, true, '0011ab22'],
      [4, false, toHex(stream[0])],
      [11, true, '99'],
      [12, false, toHex(stream[1])],
    ]);
  });

  it('treats a length above the maximum as garbage and allocates nothing for it', () => {
    const bogus = fromHex('abcd7fffffff'); // announces 2 GiB
    const d = new StreamDeframer(framer());
    const out = d.push(concatBytes([bogus, stream[0]]));
    expect(out[0]).toMatchObject({ skipped: true, offset: 0 });
    expect(toHex(out[1].bytes)).toBe(toHex(stream[0]));
    expect(d.buffered).toBe(0);
  });

  it('keeps a partial PDU as the remainder at the end of the stream', () => {
    const { pdus, remainder } = deframeAll(framer(), concatBytes([stream[0], stream[2].subarray(0, 4)]));
    expect(pdus).toHaveLength(1);
    expect(toHex(remainder)).toBe(toHex(stream[2].subarray(0, 4)));
  });

  it('never lets a copied PDU change when the deframer reuses its buffer', () => {
    const d = new StreamDeframer(framer());
    const out = d.push(stream[2].subarray(0, 3));
    d.push(stream[2].subarray(3), out);
    const kept = toHex(out[0].bytes);
    d.push(stream[3].subarray(0, 10), out);
    d.push(stream[3].subarray(10), out);
    expect(toHex(out[0].bytes)).toBe(kept);
  });
});

describe('gathering a PDU that spans chunks (Framer.size)', () => {
  // [u16 BE magic][u32 BE total length][payload], no check: the framer can tell a PDU's size from its header.
  const sized = () => lengthPrefixedFramer({ headerSize: 6, lengthAt: 2, lengthType: 'u4be', total: (n) => n, maxPdu: 1 << 20 });
  const big = (n: number, seed: number) => concatBytes([fromHex(`abcd${n.toString(16).padStart(8, '0')}`), Uint8Array.from({ length: n - 6 }, (_, k) => (seed + k * 7) & 0xff)]);
  const pdus = [big(70_000, 1), pdu('01'), big(5000, 2), pdu(''), big(300_000, 3), pdu('0203')];
  const all = concatBytes(pdus);
  const offsets = pdus.map((_, i) => pdus.slice(0, i).reduce((n, p) => n + p.length, 0));

  function chunked(sizes: number[]): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    for (let i = 0, at = 0; at < all.length; i++) {
      const n = sizes[i % sizes.length];
      chunks.push(all.slice(at, at + n));
      at += n;
    }
    return chunks;
  }

  it('tells the size of an incomplete PDU once its header is in', () => {
    const f = sized();
    expect(f.size!(all, 0, 5)).toBe(NEED_MORE);
    expect(f.size!(all, 0, 6)).toBe(70_000);
    expect(f.size!(fromHex('abcd00000002'), 0, 6)).toBe(INVALID);
    expect(framer().size!(all, 0, 6)).toBe(NEED_MORE); // a check may look at more bytes: no size
  });

  it('gives the same PDUs and offsets whatever the chunking, a split PDU in a buffer of its own', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 80_000 }), { minLength: 1, maxLength: 30 }), (sizes) => {
      const d = new StreamDeframer(sized());
      const out: DeframedPdu[] = [];
      for (const c of chunked(sizes)) d.push(c, out);
      expect(out.map((p) => p.offset)).toEqual(offsets);
      out.forEach((p, i) => expect(Buffer.from(p.bytes).equals(Buffer.from(pdus[i])), `PDU ${i}`).toBe(true));
      expect(d.buffered).toBe(0);
    }), { numRuns: 50 });
    // One byte, then the rest in 1000-byte chunks: the 70,000-byte PDU is gathered, not cut out of a shared buffer.
    const d = new StreamDeframer(sized());
    const out = d.push(all.slice(0, 1));
    for (let at = 1; at < 70_000; at += 1000) d.push(all.slice(at, Math.min(at + 1000, 70_000)), out);
    expect(out).toHaveLength(1);
    expect(out[0].bytes.byteLength).toBe(70_000);
    expect(out[0].bytes.buffer.byteLength).toBe(70_000);
  });

  it('counts what it gathered as buffered, and gives it back as the remainder when the stream ends', () => {
    const d = new StreamDeframer(sized());
    const out = d.push(all.subarray(0, 30_000));
    d.push(all.subarray(30_000, 50_000), out);
    expect(out).toHaveLength(0);
    expect(d.buffered).toBe(50_000);
    const { pdus: rest, remainder } = d.finish(out);
    expect(rest).toHaveLength(0);
    expect(Buffer.from(remainder).equals(Buffer.from(all.subarray(0, 50_000)))).toBe(true);
  });

  it('cuts right even when a framer tells a wrong size (the gathered bytes are framed again)', () => {
    for (const wrong of [-1000, 3, 1]) {
      const f = sized();
      const lying = { ...f, size: (buf: Uint8Array, off: number, end: number) => { const n = f.size!(buf, off, end); return n > 0 ? n + wrong : n; } };
      const check = (sizes: number[]): void => {
        const d = new StreamDeframer(lying);
        const out: DeframedPdu[] = [];
        for (const c of chunked(sizes)) d.push(c, out);
        expect(out.map((p) => p.offset), `size off by ${wrong}, chunks of ${sizes}`).toEqual(offsets);
        out.forEach((p, i) => expect(Buffer.from(p.bytes).equals(Buffer.from(pdus[i]))).toBe(true));
        expect(d.buffered).toBe(0);
      };
      check([1]); // one byte at a time: an over-estimated size must not hold the last PDU back
      fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 20 }), check), { numRuns: 20 });
    }
  });
});

describe('delimited framing', () => {
  it('cuts lines including the delimiter', () => {
    const f = delimitedFramer(fromHex('0a'), 16);
    const { pdus, remainder } = deframeAll(f, new TextEncoder().encode('H\nSUB 1\npart'));
    expect(pdus.map((p) => new TextDecoder().decode(p.bytes))).toEqual(['H\n', 'SUB 1\n']);
    expect(remainder.length).toBe(4);
  });

  it('gives up on a line longer than the maximum', () => {
    const f = delimitedFramer(fromHex('0a'), 4);
    expect(f.frame(new TextEncoder().encode('ABCDEFG'), 0, 7)).toBe(INVALID);
  });
});

describe('peekInt', () => {
  it('reads every width and byte order like DataView', () => {
    const b = fromHex('fffefdfcfbfaf9f8');
    const v = new DataView(b.buffer);
    expect(peekInt(b, 0, 'u2be')).toBe(v.getUint16(0));
    expect(peekInt(b, 0, 's2le')).toBe(v.getInt16(0, true));
    expect(peekInt(b, 0, 'u4le')).toBe(v.getUint32(0, true));
    expect(peekInt(b, 0, 's4be')).toBe(v.getInt32(0));
    expect(peekInt(b, 0, 'u8be')).toBe(Number(v.getBigUint64(0)));
    expect(peekInt(b, 0, 's8le')).toBe(Number(v.getBigInt64(0, true)));
  });
});

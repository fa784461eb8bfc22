import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCapture } from '../../../../electron/engine/files/capture-file-reader';
import type { CaptureFileInfo, CapturePacket } from '../../../../electron/engine/files/capture-model';
import { toHex } from '../../../../shared/codec/bytes';
import { epochText, i64, PcapngBuilder, text, u8 } from '../capture-builders';
import { tshark, tsharkPackets } from '../../../support/tshark';

const tmp = mkdtempSync(join(tmpdir(), 'fs-pcapng-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const frame = (n: number, size = 60) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + n) & 0xff);
const COMMENT = 1;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/**
 * Three sections: big-endian (2^-20 s ticks, an if_tsoffset, millisecond ticks, comments, an obsolete Packet Block,
 * a Simple Packet Block cut by the snap length, unknown blocks), then little-endian (picoseconds), then big-endian.
 */
function build(): Uint8Array {
  const be = new PcapngBuilder(false)
    .shb([[COMMENT, text('big-endian section')], [COMMENT, text('second comment')], [4, text('hand-built')]])
    .idb(1, [[IF_NAME, text('eth-be')], [IF_TSRESOL, u8(0x80 | 20)]], 48) // 2^-20 s; snaplen 48 cuts the SPB
    .idb(1, [[IF_TSRESOL, u8(3)], [IF_TSOFFSET, i64(1_000_000_000n, false)]]) // ms, plus 10^9 s
    .spb(frame(1, 48), 60) // a Simple Packet Block holds min(original length, snap length) bytes
    .block(0x00000004, new Uint8Array(8)) // name resolution block: skipped
    .epb(0, (1_700_000_000n << 20n) + 524288n, frame(2), [[COMMENT, text('first')], [COMMENT, text('second')]])
    .pb(1, 704_164_645_123n, frame(3, 61), [[COMMENT, text('obsolete packet block')]])
    .block(0x00000bad, Uint8Array.from([0, 0, 0, 0, ...text('custom')])) // custom block (PEN 0): skipped
    .block(0x12345678, text('local use')) // unknown block type: skipped
    .block(0x00000005, new Uint8Array(12)) // interface statistics: skipped
    .bytes();
  const le = new PcapngBuilder(true)
    .shb()
    .idb(101, [[IF_TSRESOL, u8(12)]]) // picoseconds: truncated to ns
    .epb(0, 1_234_567_891_234n, frame(4, 45), [], 1500)
    .bytes();
  const be2 = new PcapngBuilder(false)
    .shb()
    .idb(228) // default µs
    .epb(0, 1_704_164_645_000_001n, frame(5, 33))
    .bytes();
  return Uint8Array.from([...be, ...le, ...be2]);
}

/** The packet as tshark 4.0 shows it (interface ids are per section there). */
const viewIn = (info: CaptureFileInfo) => (p: CapturePacket) => {
  const section = info.interfaces[p.interfaceId].section;
  return {
    epoch: epochText(p.timestamp), length: p.originalLength, capturedLength: p.capturedLength,
    interfaceId: p.interfaceId - info.interfaces.findIndex((i) => i.section === section),
    comment: p.comment?.replace(/\n/g, '|') ?? '', hex: toHex(p.data),
  };
};

describe('pcapng reader on hand-built files', () => {
  const bytes = build();

  it('reads sections of either byte order, every packet block kind, and skips unknown blocks', () => {
    const { info, packets, error } = parseCapture(bytes);
    expect(error).toBeUndefined();
    expect(info.sections.map((s) => [s.byteOrder, s.comments, s.userAppl])).toEqual([
      ['big', ['big-endian section', 'second comment'], 'hand-built'],
      ['little', [], undefined],
      ['big', [], undefined],
    ]);
    expect(info.interfaces.map((i) => [i.id, i.section, i.linkType, i.name, i.timestampBase, i.timestampExponent, i.timestampOffsetSeconds])).toEqual([
      [0, 0, 1, 'eth-be', 2, 20, 0n],
      [1, 0, 1, undefined, 10, 3, 1_000_000_000n],
      [2, 1, 101, undefined, 10, 12, 0n],
      [3, 2, 228, undefined, 10, 6, 0n],
    ]);
    expect(packets.map((p) => [p.interfaceId, p.linkType, p.timestamp, p.capturedLength, p.originalLength, p.comment])).toEqual([
      [0, 1, 0n, 48, 60, undefined], // SPB: no timestamp; captured length cut to the snap length
      [0, 1, 1_700_000_000_500_000_000n, 60, 60, 'first\nsecond'], // 2^-20 s ticks: 524288 = half a second
      [1, 1, 1_704_164_645_123_000_000n, 61, 61, 'obsolete packet block'], // ms ticks + 10^9 s offset
      [2, 101, 1_234_567_891n, 45, 1500, undefined], // ps truncated to ns
      [3, 228, 1_704_164_645_000_001_000n, 33, 33, undefined],
    ]);
    expect(toHex(packets[0].data)).toBe(toHex(frame(1, 48)));
    expect(toHex(packets[2].data)).toBe(toHex(frame(3, 61)));
  });

  it('tshark reads the same file the same way', () => {
    const file = join(tmp, 'hand-built.pcapng');
    writeFileSync(file, bytes);
    const ours = parseCapture(bytes).packets.map(viewIn(parseCapture(bytes).info));
    const theirs = tsharkPackets(file);
    // tshark 4.0 also lists the custom block (as a record that is not a packet) and the local-use block not at all.
    expect(theirs).toHaveLength(6);
    expect(theirs[3]).toMatchObject({ epoch: '', hex: expect.stringMatching(new RegExp(`^${toHex(text('custom'))}`)) });
    // A Simple Packet Block has no time: tshark leaves it empty, we say 0.
    expect(theirs[0]).toEqual({ ...ours[0], epoch: '' });
    expect(theirs.slice(1, 3)).toEqual(ours.slice(1, 3));
    // Picosecond ticks: tshark 4.0 gets the time wrong (1.013206962 for 1234567891234 ps); the rest must agree.
    expect(theirs[4]).toEqual({ ...ours[3], epoch: theirs[4].epoch });
    expect(theirs[5]).toEqual(ours[4]);
  });

  it('rejects a packet that names an interface its section does not have', () => {
    const bad = new PcapngBuilder().shb().idb(1).epb(0, 0n, frame(1)).epb(1, 0n, frame(2)).bytes();
    const r = parseCapture(bad);
    expect(r.packets).toHaveLength(1);
    expect(r.error).toMatchObject({ kind: 'corrupt', offset: 28 + 20 + 92, message: expect.stringMatching(/interface 1/) });
  });

  it('rejects a captured length larger than its block and a bad trailing length', () => {
    const good = new PcapngBuilder().shb().idb(1).epb(0, 0n, frame(1)).bytes();
    const epb = 28 + 20;
    const tooLong = good.slice();
    new DataView(tooLong.buffer).setUint32(epb + 20, 1000, true);
    expect(parseCapture(tooLong).error).toMatchObject({ kind: 'corrupt', offset: epb });
    const trailer = good.slice();
    trailer[trailer.length - 1] ^= 1;
    expect(parseCapture(trailer).error).toMatchObject({ kind: 'corrupt', offset: epb, message: expect.stringMatching(/trailing length/) });
  });

  it('needs a section header first and a known byte-order magic and version', () => {
    const noShb = new PcapngBuilder().idb(1).bytes();
    expect(parseCapture(Uint8Array.from([...new PcapngBuilder().shb().bytes(), ...noShb])).error).toBeUndefined();
    const badMagic = new PcapngBuilder().shb().bytes();
    badMagic[8] = 0;
    expect(parseCapture(badMagic).error).toMatchObject({ kind: 'corrupt', offset: 0, message: expect.stringMatching(/byte-order magic/) });
    const v2 = new PcapngBuilder().shb().bytes();
    v2[12] = 2;
    expect(parseCapture(v2).error).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/version 2\.0/) });
  });

  it('survives options that run past their block, with a warning', () => {
    const b = new PcapngBuilder().shb().idb(1, [[IF_NAME, text('eth0')]]).epb(0, 0n, frame(1)).bytes();
    const optionLength = 28 + 16 + 2; // the IDB's first option's length field
    new DataView(b.buffer).setUint16(optionLength, 200, true);
    const r = parseCapture(b);
    expect(r.error).toBeUndefined();
    expect(r.packets).toHaveLength(1);
    expect(r.info.interfaces[0].name).toBeUndefined();
    expect(r.info.warnings).toEqual([expect.stringMatching(/option 2 at offset 44 runs past its block/)]);
  });
});

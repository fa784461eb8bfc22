import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CaptureFileReader, parseCapture } from '../../../../electron/engine/files/capture-file-reader';
import { CaptureFileError, splitTimestamp, type CaptureFileInfo, type CapturePacket } from '../../../../electron/engine/files/capture-model';
import { toHex } from '../../../../shared/codec/bytes';
import { epochText } from '../capture-builders';
import { tshark, tsharkPackets } from '../../../support/tshark';

const FIXTURES = join(__dirname, '../../../fixtures/pcap');
const fixture = (name: string) => join(FIXTURES, name);
const read = (name: string) => new Uint8Array(readFileSync(fixture(name)));
const tmp = mkdtempSync(join(tmpdir(), 'fs-reader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function readAll(path: string, chunkSize?: number): Promise<{ packets: CapturePacket[]; error?: unknown; reader: CaptureFileReader }> {
  const reader = new CaptureFileReader(path, { chunkSize });
  const packets: CapturePacket[] = [];
  try {
    for await (const p of reader) packets.push(p);
  } catch (error) {
    return { packets, error, reader };
  }
  return { packets, reader };
}

/** A packet as tshark 4.0 shows it; tshark numbers interfaces per section, we number them across the file. */
const viewIn = (info: CaptureFileInfo) => (p: CapturePacket) => {
  const section = info.interfaces[p.interfaceId].section;
  const firstOfSection = info.interfaces.findIndex((i) => i.section === section);
  return {
    epoch: epochText(p.timestamp), length: p.originalLength, capturedLength: p.capturedLength,
    interfaceId: p.interfaceId - firstOfSection, comment: p.comment ?? '', hex: toHex(p.data),
  };
};
const view = (p: CapturePacket) => ({
  epoch: epochText(p.timestamp), length: p.originalLength, capturedLength: p.capturedLength,
  interfaceId: p.interfaceId, comment: p.comment ?? '', hex: toHex(p.data),
});

const FILES = ['ipv4-usec.pcap', 'ipv4-nsec.pcap', 'ipv6-nsec.pcapng', 'multi-interface.pcapng', 'commented.pcapng', 'two-sections.pcapng'];

describe('files written by text2pcap, editcap and mergecap', () => {
  it.each(FILES)('%s: every packet as tshark reads it (time, lengths, interface, comment, bytes)', async (name) => {
    const expected = tsharkPackets(fixture(name));
    expect(expected.length).toBeGreaterThan(0);
    const parsed = parseCapture(read(name));
    expect(parsed.error).toBeUndefined();
    expect(parsed.packets.map(viewIn(parsed.info))).toEqual(expected);
    const streamed = await readAll(fixture(name));
    expect(streamed.error).toBeUndefined();
    expect(streamed.packets.map(viewIn(streamed.reader.info))).toEqual(expected);
  });

  it('reports formats, byte orders, interfaces and resolutions', () => {
    const usec = parseCapture(read('ipv4-usec.pcap')).info;
    expect(usec).toMatchObject({ format: 'pcap', variant: 'microsecond', sections: [{ byteOrder: 'little', version: '2.4' }] });
    expect(usec.interfaces).toMatchObject([{ id: 0, linkType: 1, timestampExponent: 6 }]);
    expect(parseCapture(read('ipv4-nsec.pcap')).info).toMatchObject({ variant: 'nanosecond', interfaces: [{ timestampExponent: 9 }] });

    const multi = parseCapture(read('multi-interface.pcapng'));
    expect(multi.info.format).toBe('pcapng');
    expect(multi.info.interfaces.map((i) => [i.id, i.linkType, i.timestampBase, i.timestampExponent, i.name])).toEqual([
      [0, 1, 10, 6, undefined],
      [1, 101, 10, 9, 'raw0'],
    ]);
    expect(multi.packets.map((p) => p.linkType)).toEqual(multi.packets.map((p) => (p.interfaceId === 0 ? 1 : 101)));

    const two = parseCapture(read('two-sections.pcapng')).info;
    expect(two.sections.map((s) => [s.index, s.offset, s.comments])).toEqual([
      [0, 0, ['Generated from input file conversation.txt.']],
      [1, read('ipv6-nsec.pcapng').length, ['captured for Framescope tests']],
    ]);
    expect(two.sections[1].userAppl).toMatch(/^Mergecap/) // editcap keeps the application that wrote the section;
    // Interface ids are numbered across the file: the second section's interfaces follow the first's.
    expect(two.interfaces.map((i) => [i.id, i.section])).toEqual([[0, 0], [1, 1], [2, 1]]);
    expect(parseCapture(read('two-sections.pcapng')).packets.map((p) => p.interfaceId)).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 2, 1, 1, 2, 1, 2]);
  });

  it('reads a big-endian classic pcap exactly as tshark does', () => {
    // No tool here writes big-endian pcap: swap every header field of the little-endian fixture by hand.
    const le = read('ipv4-nsec.pcap');
    const be = le.slice();
    const swap = (at: number, size: number) => be.set(le.slice(at, at + size).reverse(), at);
    [[0, 4], [4, 2], [6, 2], [8, 4], [12, 4], [16, 4], [20, 4]].forEach(([at, size]) => swap(at, size));
    for (let at = 24; at < le.length;) {
      const caplen = new DataView(le.buffer, le.byteOffset).getUint32(at + 8, true);
      for (let f = 0; f < 4; f++) swap(at + 4 * f, 4);
      at += 16 + caplen;
    }
    const file = join(tmp, 'big-endian.pcap');
    writeFileSync(file, be);
    const parsed = parseCapture(be);
    expect(parsed.info).toMatchObject({ variant: 'nanosecond', sections: [{ byteOrder: 'big' }] });
    expect(parsed.packets.map(view)).toEqual(tsharkPackets(file));
    expect(parsed.packets.map(view)).toEqual(parseCapture(le).packets.map(view));
  });

  it('streams with any chunk size, including records larger than a chunk (property)', async () => {
    const name = 'two-sections.pcapng';
    const expected = parseCapture(read(name)).packets.map(view);
    const big = await readAll(fixture(name), 5);
    expect(big.packets.map(view)).toEqual(expected);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...FILES), fc.integer({ min: 1, max: 700 }), async (file, chunk) => {
      const r = await readAll(fixture(file), chunk);
      expect(r.error).toBeUndefined();
      expect(r.packets.map(view)).toEqual(parseCapture(read(file)).packets.map(view));
    }), { numRuns: 60 });
  });

  it('fills in the interfaces while streaming', async () => {
    const r = await readAll(fixture('commented.pcapng'), 64);
    expect(r.reader.info.interfaces).toHaveLength(2);
    expect(r.reader.info.sections[0].comments).toEqual(['captured for Framescope tests']);
  });
});

describe('damaged files', () => {
  it.each(['ipv4-usec.pcap', 'commented.pcapng'])('%s cut inside a packet: everything before it, then an error naming its offset', async (name) => {
    const whole = read(name);
    const all = parseCapture(whole).packets;
    // The 4th packet's record starts before its data: 16 bytes of pcap record header, 28 of pcapng EPB header.
    const recordStart = all[3].data.byteOffset - (name.endsWith('.pcap') ? 16 : 28);
    const cut = whole.slice(0, recordStart + 30);
    const parsed = parseCapture(cut);
    expect(parsed.packets.map(view)).toEqual(all.slice(0, 3).map(view));
    expect(parsed.error).toBeInstanceOf(CaptureFileError);
    expect(parsed.error).toMatchObject({ kind: 'truncated', offset: recordStart });
    expect(parsed.error?.message).toContain(`at file offset ${recordStart}`);

    const file = join(tmp, `cut-${name}`);
    writeFileSync(file, cut);
    for (const chunk of [undefined, 7, 100]) {
      const streamed = await readAll(file, chunk);
      expect(streamed.packets.map(view)).toEqual(all.slice(0, 3).map(view));
      expect(streamed.error).toMatchObject({ kind: 'truncated', offset: recordStart });
    }
    // tshark agrees that the file is cut short, and reads the same 3 packets.
    const t = tshark(['-r', file]);
    expect(t.stderr).toMatch(/cut short/);
    expect(t.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('cut inside the file header, or empty', async () => {
    expect(parseCapture(read('ipv4-usec.pcap').slice(0, 10)).error).toMatchObject({ kind: 'truncated', offset: 0 });
    expect(parseCapture(read('commented.pcapng').slice(0, 2)).error).toMatchObject({ kind: 'truncated', offset: 0 });
    expect(parseCapture(new Uint8Array(0)).error?.message).toMatch(/empty file/);
    const file = join(tmp, 'empty.pcap');
    writeFileSync(file, new Uint8Array(0));
    expect((await readAll(file)).error).toMatchObject({ kind: 'truncated', offset: 0 });
  });

  it('names what is not a capture at all', () => {
    expect(parseCapture(new TextEncoder().encode('GET / HTTP/1.1\r\n')).error).toMatchObject({ kind: 'unsupported', offset: 0, message: expect.stringMatching(/not a pcap or pcapng file/) });
    expect(parseCapture(Uint8Array.of(0x1f, 0x8b, 8, 0)).error?.message).toMatch(/gzip/);
  });

  it('a corrupt pcapng block length stops the read at that block, after the packets before it', async () => {
    const whole = read('commented.pcapng');
    const all = parseCapture(whole).packets;
    const blockStart = all[5].data.byteOffset - 28;
    const bad = whole.slice();
    new DataView(bad.buffer).setUint32(blockStart + 4, 13, true); // not a multiple of 4
    const parsed = parseCapture(bad);
    expect(parsed.packets).toHaveLength(5);
    expect(parsed.error).toMatchObject({ kind: 'corrupt', offset: blockStart });
    const file = join(tmp, 'corrupt.pcapng');
    writeFileSync(file, bad);
    const streamed = await readAll(file, 4096);
    expect(streamed.packets).toHaveLength(5);
    expect(streamed.error).toMatchObject({ kind: 'corrupt', offset: blockStart });
  });

  it('a pcap record with an absurd length is corrupt, not a reason to buffer the rest of the file', () => {
    const whole = read('ipv4-usec.pcap');
    const bad = whole.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(parseCapture(bad).error).toMatchObject({ kind: 'corrupt', offset: 24 });
  });
});

describe('timestamps', () => {
  it('split into seconds and nanoseconds for JSON', () => {
    expect(splitTimestamp(1704164645123456789n)).toEqual({ seconds: 1704164645, nanos: 123456789 });
    expect(splitTimestamp(-1n)).toEqual({ seconds: -1, nanos: 999999999 });
  });
});

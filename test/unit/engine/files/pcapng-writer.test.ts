import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCapture } from '../../../../electron/engine/files/capture-file-reader';
import { encodePcapng, PcapngWriter, type PacketToWrite } from '../../../../electron/engine/files/pcapng-writer';
import { LinkType } from '../../../../electron/engine/net/link-layer';
import { toHex } from '../../../../shared/codec/bytes';
import { epochText } from '../capture-builders';
import { capinfos, tshark, tsharkPackets } from '../../../support/tshark';

const tmp = mkdtempSync(join(tmpdir(), 'fs-writer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const bytesOf = (n: number, size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + n) & 0xff);
const packet = (n: number, linkType: number = LinkType.ETHERNET, comment?: string): PacketToWrite => ({
  linkType, timestamp: 1_704_164_645_000_000_000n + BigInt(n) * 1_000_123_457n, data: bytesOf(n, 40 + n), comment,
});

/** tshark must read the file with no complaint at all. */
function tsharkReadsCleanly(file: string): void {
  const r = tshark(['-r', file]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

describe('pcapng writer', () => {
  it('streams: what was flushed is a complete file even if the process dies before close', async () => {
    const file = join(tmp, 'spool.pcapng');
    const w = await PcapngWriter.create(file, { comments: ['spool of a proxy session'] });
    const first = [packet(1), packet(2, LinkType.RAW, 'raw one'), packet(3)];
    const where = first.map((p) => w.append(p));
    expect(w.bufferedBytes).toBeGreaterThan(0);
    await w.flush();
    expect(w.bufferedBytes).toBe(0);
    w.append(packet(4)); // appended, never flushed: a crash now loses exactly this one

    const onDisk = new Uint8Array(readFileSync(file));
    const parsed = parseCapture(onDisk);
    expect(parsed.error).toBeUndefined();
    expect(parsed.packets.map((p) => [p.linkType, p.timestamp, toHex(p.data), p.comment])).toEqual(first.map((p) => [p.linkType, p.timestamp, toHex(p.data), p.comment]));
    // append() says where each packet's bytes are, for the session's frame index.
    where.forEach((loc, i) => expect(toHex(onDisk.subarray(loc.dataOffset, loc.dataOffset + first[i].data.length))).toBe(toHex(first[i].data)));
    expect(where.map((l) => l.interfaceId)).toEqual([0, 1, 0]);
    tsharkReadsCleanly(file);

    await w.close();
    expect(parseCapture(new Uint8Array(readFileSync(file))).packets).toHaveLength(4);
    expect(() => w.append(packet(5))).toThrow(/closed/);
  });

  it('keeps order when flushes overlap', async () => {
    const file = join(tmp, 'overlap.pcapng');
    const w = await PcapngWriter.create(file);
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      w.append(packet(i));
      if (i % 7 === 0) flushes.push(w.flush({ durable: i === 49 }));
    }
    flushes.push(w.close());
    await Promise.all(flushes);
    const parsed = parseCapture(new Uint8Array(readFileSync(file)));
    expect(parsed.packets.map((p) => p.capturedLength)).toEqual(Array.from({ length: 50 }, (_, i) => 40 + i));
  });

  it.each(['ns', 'us'] as const)('%s timestamps, one interface per link type, comments: tshark and capinfos agree', (resolution) => {
    const packets = [packet(1), packet(2, LinkType.LINUX_SLL, 'cooked'), packet(3, LinkType.RAW), packet(4, LinkType.LINUX_SLL), packet(5, LinkType.ETHERNET, 'last, ünïcode')];
    const file = join(tmp, `written-${resolution}.pcapng`);
    writeFileSync(file, encodePcapng(packets, { resolution, comments: ['first comment', 'second comment'] }));
    tsharkReadsCleanly(file);
    const expectedTime = (t: bigint) => (resolution === 'ns' ? t : (t / 1000n) * 1000n);
    expect(tsharkPackets(file)).toEqual(packets.map((p) => ({
      epoch: epochText(expectedTime(p.timestamp)), length: p.data.length, capturedLength: p.data.length,
      interfaceId: [LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.RAW].indexOf(p.linkType as 1), comment: p.comment ?? '', hex: toHex(p.data),
    })));
    const info = capinfos(['-M', file]).stdout;
    expect(info).toMatch(/Capture application: +Framescope/);
    expect(info).toMatch(/Capture comment: +first comment/);
    expect(info).toMatch(/Capture comment: +second comment/);
    expect(info).toMatch(/Number of interfaces in file: 3/);
    expect(info).toMatch(resolution === 'ns' ? /Time precision = nanoseconds \(9\)/ : /Time precision = microseconds \(6\)/);
    // Our reader gets back exactly what was written.
    const back = parseCapture(new Uint8Array(readFileSync(file)));
    expect(back.info.sections[0]).toMatchObject({ userAppl: 'Framescope', comments: ['first comment', 'second comment'] });
    expect(back.packets.map((p) => [p.timestamp, p.linkType, p.comment])).toEqual(packets.map((p) => [expectedTime(p.timestamp), p.linkType, p.comment]));
  });

  it('writes a truncated packet with its original length, and the optional section fields', () => {
    const file = join(tmp, 'snap.pcapng');
    writeFileSync(file, encodePcapng([{ ...packet(0), originalLength: 1514 }], { userAppl: 'framescope-test', hardware: 'hw', os: 'os', interfaceNames: { 1: 'proxy0' } }));
    tsharkReadsCleanly(file);
    expect(tsharkPackets(file)[0]).toMatchObject({ length: 1514, capturedLength: 40 });
    const info = parseCapture(new Uint8Array(readFileSync(file))).info;
    expect(info.sections[0]).toMatchObject({ userAppl: 'framescope-test', hardware: 'hw', os: 'os' });
    expect(info.interfaces[0].name).toBe('proxy0');
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCapture } from '../../../../electron/engine/files/capture-file-reader';
import { toHex } from '../../../../shared/codec/bytes';
import { buildPcap, epochText } from '../capture-builders';
import { tsharkPackets } from '../../../support/tshark';

const tmp = mkdtempSync(join(tmpdir(), 'fs-pcap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = (n: number, size: number) => Uint8Array.from({ length: size }, (_, i) => (i + n) & 0xff);
const records = [
  { seconds: 1_704_164_645, fraction: 999_999, data: data(1, 60) },
  { seconds: 4_000_000_000, fraction: 1, data: data(2, 54), originalLength: 1514 }, // past 2038: seconds are unsigned
  { seconds: 0, fraction: 0, data: data(3, 0) },
];

describe('classic pcap', () => {
  it.each([
    ['little-endian µs', { bigEndian: false, nanos: false }],
    ['big-endian µs', { bigEndian: true, nanos: false }],
    ['little-endian ns', { bigEndian: false, nanos: true }],
    ['big-endian ns', { bigEndian: true, nanos: true }],
  ])('%s: as tshark reads it', (_, o) => {
    const bytes = buildPcap(records, { ...o, linkType: 1 });
    const file = join(tmp, `${o.bigEndian ? 'be' : 'le'}-${o.nanos ? 'ns' : 'us'}.pcap`);
    writeFileSync(file, bytes);
    const r = parseCapture(bytes);
    expect(r.error).toBeUndefined();
    expect(r.info).toMatchObject({ format: 'pcap', variant: o.nanos ? 'nanosecond' : 'microsecond', sections: [{ byteOrder: o.bigEndian ? 'big' : 'little' }] });
    const scale = o.nanos ? 1n : 1000n;
    expect(r.packets.map((p) => p.timestamp)).toEqual(records.map((x) => BigInt(x.seconds) * 1_000_000_000n + BigInt(x.fraction) * scale));
    expect(r.packets.map((p) => ({
      epoch: epochText(p.timestamp), length: p.originalLength, capturedLength: p.capturedLength, interfaceId: p.interfaceId, comment: '', hex: toHex(p.data),
    }))).toEqual(tsharkPackets(file));
  });

  it('reads the "modified" (Kuznetzov) variant with its 24-byte record headers', () => {
    const std = buildPcap(records.slice(0, 2));
    // Same records, each header followed by 8 bytes (ifindex, protocol, packet type, padding).
    const parts: number[] = [...std.slice(0, 24)];
    parts[0] = 0x34; parts[1] = 0xcd; // magic a1b2cd34, little-endian
    let at = 24;
    for (const rec of records.slice(0, 2)) {
      parts.push(...std.slice(at, at + 16), 2, 0, 0, 0, 8, 0, 0, 0, ...rec.data);
      at += 16 + rec.data.length;
    }
    const bytes = Uint8Array.from(parts);
    const file = join(tmp, 'modified.pcap');
    writeFileSync(file, bytes);
    const r = parseCapture(bytes);
    expect(r.info.variant).toBe('modified');
    expect(r.packets.map((p) => toHex(p.data))).toEqual(records.slice(0, 2).map((x) => toHex(x.data)));
    expect(r.packets.map((p) => epochText(p.timestamp))).toEqual(tsharkPackets(file).map((p) => p.epoch));
  });

  it('keeps the link type without the FCS bits, and warns about an impossible sub-second field', () => {
    const bytes = buildPcap([{ seconds: 1, fraction: 1_000_000, data: data(0, 4) }], { linkType: 113 });
    new DataView(bytes.buffer).setUint32(20, 0x10000000 | 113, true); // "FCS present" flag bits
    const r = parseCapture(bytes);
    expect(r.packets[0].linkType).toBe(113);
    expect(r.info.warnings).toEqual(['record at offset 24: sub-second field 1000000 is out of range']);
  });

  it('rejects other versions', () => {
    const bytes = buildPcap([]);
    bytes[4] = 3;
    expect(parseCapture(bytes).error).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/version 3\.4/) });
  });
});

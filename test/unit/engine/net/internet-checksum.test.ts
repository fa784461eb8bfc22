import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { internetChecksum, sumWords, finishChecksum } from '../../../../electron/engine/net/internet-checksum';

describe('internet checksum (RFC 1071)', () => {
  it('matches the RFC 1071 worked example', () => {
    // 0001 f203 f4f5 f6f7 sums to 0x2ddf0, folds to 0xddf2, complements to 0x220d.
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('checks the well-known example IPv4 header (c0a80001 → c0a800c7) to zero', () => {
    const header = Uint8Array.from(Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex'));
    const sum = internetChecksum(header);
    expect(sum).toBe(0xb861);
    header[10] = sum >> 8;
    header[11] = sum & 0xff;
    expect(internetChecksum(header)).toBe(0);
  });

  it('pads an odd byte and gives the same sum whatever the split (property)', () => {
    expect(internetChecksum(Uint8Array.of(0x12))).toBe(~0x1200 & 0xffff);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(150), (bytes, cut) => {
      const even = Math.min(cut * 2, bytes.length - (bytes.length % 2));
      const split = finishChecksum(sumWords(bytes, even, bytes.length, sumWords(bytes, 0, even)));
      expect(split).toBe(internetChecksum(bytes));
    }));
  });
});

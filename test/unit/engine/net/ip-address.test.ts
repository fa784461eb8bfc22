import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIpv4, formatIpv6, IpAddressError, parseIpAddress, parseIpv4, parseIpv6 } from '../../../../electron/engine/net/ip-address';

const v6 = (text: string) => formatIpv6(parseIpv6(text));

describe('IPv6 text (RFC 5952)', () => {
  it('compresses the longest zero run, lowercase, no leading zeros', () => {
    expect(v6('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(v6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // a tie: the first run wins
    expect(v6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // a single zero group stays
    expect(v6('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1'); // the longer run wins
    expect(v6('::')).toBe('::');
    expect(v6('::1')).toBe('::1');
    expect(v6('fe80::')).toBe('fe80::');
    expect(v6('::ffff:192.0.2.128')).toBe('::ffff:192.0.2.128');
    expect(v6('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    expect(v6('[2001:db8::2]')).toBe('2001:db8::2');
  });

  it('rejects what is not an address', () => {
    for (const bad of ['1:2:3:4:5:6:7', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8']) {
      expect(() => parseIpv6(bad), bad).toThrow(IpAddressError);
    }
  });

  it('agrees with the WHATWG URL serializer on random addresses (property)', () => {
    // URL compresses the same way; it differs only on IPv4-mapped addresses, which it prints in hex.
    const groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
    fc.assert(fc.property(groups, (g) => {
      const bytes = new Uint8Array(16);
      g.forEach((w, i) => { bytes[2 * i] = w >> 8; bytes[2 * i + 1] = w & 0xff; });
      const ours = formatIpv6(bytes);
      expect(parseIpv6(ours)).toEqual(bytes);
      const mapped = g.slice(0, 5).every((w) => w === 0) && g[5] === 0xffff;
      if (!mapped) expect(`[${ours}]`).toBe(new URL(`http://[${g.map((w) => w.toString(16)).join(':')}]/`).hostname);
    }), { numRuns: 2000 });
  });
});

describe('IPv4 text', () => {
  it('round-trips and rejects junk', () => {
    expect(formatIpv4(parseIpv4('192.168.1.20'))).toBe('192.168.1.20');
    expect(formatIpv4(Uint8Array.of(9, 9, 10, 0, 0, 255), 2)).toBe('10.0.0.255');
    for (const bad of ['1.2.3', '1.2.3.256', '1.2.3.4.5', 'a.b.c.d', '1..2.3']) expect(() => parseIpv4(bad), bad).toThrow(IpAddressError);
    expect(parseIpAddress('::1').version).toBe(6);
    expect(parseIpAddress('127.0.0.1').version).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { originalFrameLength } from '../../../../electron/engine/capture/original-length';

function ipv4(totalLength: number): number[] {
  const h = new Array<number>(20).fill(0);
  h[0] = 0x45;
  h[2] = totalLength >> 8;
  h[3] = totalLength & 0xff;
  h[8] = 64;
  h[9] = 6;
  return h;
}

function ipv6(payloadLength: number): number[] {
  const h = new Array<number>(40).fill(0);
  h[0] = 0x60;
  h[4] = payloadLength >> 8;
  h[5] = payloadLength & 0xff;
  h[6] = 6;
  return h;
}

const ETHERNET_IPV4 = [...new Array<number>(12).fill(0), 0x08, 0x00];
const ETHERNET_ARP = [...new Array<number>(12).fill(0), 0x08, 0x06];

function frame(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

describe('originalFrameLength', () => {
  it('is the captured length for a complete frame', () => {
    const f = frame(ETHERNET_IPV4, ipv4(20 + 25), new Array<number>(25).fill(7));
    expect(originalFrameLength(1, f)).toBe(f.length);
  });

  it('recovers the wire length of an Ethernet/IPv4 frame cut short', () => {
    // libpcap's fixed 65535 snaplen against a 64 KiB loopback segment: IP total 65535, frame 65549 on the wire.
    const f = frame(ETHERNET_IPV4, ipv4(65535), new Array<number>(65535 - 14 - 20).fill(1));
    expect(f.length).toBe(65535);
    expect(originalFrameLength(1, f)).toBe(65549);
    expect(originalFrameLength(1, f.subarray(0, 40))).toBe(65549);
  });

  it('keeps Ethernet padding: never below what was captured', () => {
    const f = frame(ETHERNET_IPV4, ipv4(40), new Array<number>(20 + 6).fill(0)); // 60-byte minimum frame
    expect(originalFrameLength(1, f)).toBe(60);
  });

  it('reads the IPv6 payload length behind a Linux cooked header', () => {
    const sll = [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x86, 0xdd];
    expect(originalFrameLength(113, frame(sll, ipv6(1000), [1, 2, 3]))).toBe(16 + 40 + 1000);
  });

  it('reads IPv4 behind SLL2 and BSD loopback headers', () => {
    const sll2 = [0x08, 0x00, ...new Array<number>(18).fill(0)];
    expect(originalFrameLength(276, frame(sll2, ipv4(300)))).toBe(320);
    expect(originalFrameLength(0, frame([2, 0, 0, 0], ipv4(300)))).toBe(304);
  });

  it('takes the captured length when the header cannot tell', () => {
    expect(originalFrameLength(1, frame(ETHERNET_ARP, new Array<number>(28).fill(0)))).toBe(42); // not IP
    expect(originalFrameLength(1, frame(ETHERNET_IPV4, ipv4(0), [1, 2]))).toBe(36); // TSO: total length 0
    expect(originalFrameLength(113, frame([0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x86, 0xdd], ipv6(0)))).toBe(56); // jumbogram
    expect(originalFrameLength(1, frame(ETHERNET_IPV4, [0x45, 0]))).toBe(16); // length field not captured
    expect(originalFrameLength(1, frame(ETHERNET_IPV4, [0x65, 0, 0x10, 0]))).toBe(18); // EtherType says IPv4, version 6
    expect(originalFrameLength(147, frame([1, 2, 3]))).toBe(3); // a link type we do not read
    expect(originalFrameLength(1, new Uint8Array(0))).toBe(0);
  });
});

/**
 * The common case of `decodeTcpPacket` (net/tcp-segment.ts) without its intermediate objects: an Ethernet II frame
 * (no VLAN tag) holding an unfragmented IPv4 packet whose total length fits the capture, holding a complete TCP
 * header. Addresses are formatted once per address, not per packet. Anything else gives undefined and the caller
 * uses `decodeTcpPacket`, so the segments are always the same (test/unit/engine/capture/fast-tcp.test.ts).
 */
import { LinkType } from '../net/link-layer';
import type { TcpSegment } from '../net/tcp-segment';

const ETHERTYPE_IPV4 = 0x0800;
const TCP = 6;
/** Formatted addresses kept; past this many the cache starts over (a scan of many hosts must not grow it forever). */
const MAX_NAMES = 1 << 16;
/** The common case has nothing to note: one shared empty list instead of an allocation per packet. */
const NO_NOTES = Object.freeze([]) as unknown as string[];

export class FastTcpDecoder {
  private readonly names = new Map<number, string>();

  decode(linkType: number, data: Uint8Array): TcpSegment | undefined {
    if (linkType !== LinkType.ETHERNET || data.length < 34) return undefined;
    if (((data[12] << 8) | data[13]) !== ETHERTYPE_IPV4) return undefined;
    const at = 14;
    const available = data.length - at;
    if (data[at] >> 4 !== 4) return undefined;
    const headerLength = (data[at] & 0x0f) * 4;
    if (headerLength < 20 || available < headerLength) return undefined;
    let totalLength = (data[at + 2] << 8) | data[at + 3];
    if (totalLength === 0) totalLength = available;
    else if (totalLength < headerLength || totalLength > available) return undefined;
    if ((((data[at + 6] << 8) | data[at + 7]) & 0x3fff) !== 0) return undefined; // a fragment
    if (data[at + 9] !== TCP) return undefined;
    const start = at + headerLength;
    const end = at + totalLength;
    if (end - start < 20) return undefined;
    const dataOffset = (data[start + 12] >> 4) * 4;
    if (dataOffset < 20 || start + dataOffset > end) return undefined;
    return {
      ipVersion: 4,
      src: this.name(data, at + 12),
      dst: this.name(data, at + 16),
      srcPort: (data[start] << 8) | data[start + 1],
      dstPort: (data[start + 2] << 8) | data[start + 3],
      seq: ((data[start + 4] << 24) | (data[start + 5] << 16) | (data[start + 6] << 8) | data[start + 7]) >>> 0,
      ack: ((data[start + 8] << 24) | (data[start + 9] << 16) | (data[start + 10] << 8) | data[start + 11]) >>> 0,
      flags: data[start + 13],
      window: (data[start + 14] << 8) | data[start + 15],
      payload: data.subarray(start + dataOffset, end),
      notes: NO_NOTES,
    };
  }

  private name(b: Uint8Array, at: number): string {
    const n = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
    let text = this.names.get(n);
    if (text === undefined) {
      if (this.names.size >= MAX_NAMES) this.names.clear();
      text = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
      this.names.set(n, text);
    }
    return text;
  }
}

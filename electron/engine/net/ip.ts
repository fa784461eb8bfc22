/**
 * IPv4 and IPv6 headers: addresses, the upper-layer protocol and where its bytes are. IPv6 extension headers are
 * skipped; fragments (IPv4 or IPv6) are reported with a note and not reassembled.
 */
import { formatIpv4, formatIpv6 } from './ip-address';

export const IP_PROTOCOL_TCP = 6;

export interface IpPacket {
  version: 4 | 6;
  src: string;
  dst: string;
  /** Raw address bytes (views into the frame), for checksums. */
  srcBytes: Uint8Array;
  dstBytes: Uint8Array;
  /** Upper-layer protocol (IPv4 protocol, or the IPv6 next header after the extension headers). */
  protocol: number;
  /** Upper-layer bytes [payloadStart, payloadEnd) in the frame; Ethernet padding is excluded. */
  payloadStart: number;
  payloadEnd: number;
  /** A fragment: the upper layer is incomplete and is not parsed. */
  fragment: boolean;
  notes: string[];
}

export type IpResult = { ok: true; ip: IpPacket } | { ok: false; reason: string };

// IPv6 extension headers whose length is (byte 1 + 1) * 8: hop-by-hop, routing, destination options, mobility,
// HIP, shim6. AH (51) counts in 4-byte units; the fragment header (44) is 8 bytes.
const EXTENSION_8 = new Set([0, 43, 60, 135, 139, 140]);
const IPV6_AH = 51;
const IPV6_FRAGMENT = 44;

export function decodeIpv4(data: Uint8Array, at: number): IpResult {
  const available = data.length - at;
  if (available < 20) return { ok: false, reason: `IPv4 header cut short (${available} bytes)` };
  if (data[at] >> 4 !== 4) return { ok: false, reason: `IP version ${data[at] >> 4} where IPv4 was expected` };
  const headerLength = (data[at] & 0x0f) * 4;
  if (headerLength < 20) return { ok: false, reason: `IPv4 header length ${headerLength} is below 20` };
  if (available < headerLength) return { ok: false, reason: 'IPv4 options cut short' };
  const notes: string[] = [];
  let totalLength = (data[at + 2] << 8) | data[at + 3];
  // 0 is what TSO-offloaded captures show; trust the captured bytes then.
  if (totalLength === 0) totalLength = available;
  else if (totalLength < headerLength) return { ok: false, reason: `IPv4 total length ${totalLength} is below its header length` };
  else if (totalLength > available) {
    notes.push(`IPv4 total length ${totalLength} exceeds the ${available} captured bytes`);
    totalLength = available;
  }
  const flagsFragment = (data[at + 6] << 8) | data[at + 7];
  const moreFragments = (flagsFragment & 0x2000) !== 0;
  const fragmentOffset = (flagsFragment & 0x1fff) * 8;
  const fragment = moreFragments || fragmentOffset > 0;
  if (fragment) notes.push(`IPv4 fragment (offset ${fragmentOffset}${moreFragments ? ', more fragments' : ''}), not reassembled`);
  return {
    ok: true,
    ip: {
      version: 4,
      src: formatIpv4(data, at + 12),
      dst: formatIpv4(data, at + 16),
      srcBytes: data.subarray(at + 12, at + 16),
      dstBytes: data.subarray(at + 16, at + 20),
      protocol: data[at + 9],
      payloadStart: at + headerLength,
      payloadEnd: at + totalLength,
      fragment,
      notes,
    },
  };
}

export function decodeIpv6(data: Uint8Array, at: number): IpResult {
  const available = data.length - at;
  if (available < 40) return { ok: false, reason: `IPv6 header cut short (${available} bytes)` };
  if (data[at] >> 4 !== 6) return { ok: false, reason: `IP version ${data[at] >> 4} where IPv6 was expected` };
  const notes: string[] = [];
  const payloadLength = (data[at + 4] << 8) | data[at + 5];
  let end = at + 40 + payloadLength;
  // 0 means a jumbogram (hop-by-hop option) or TSO; use what was captured.
  if (payloadLength === 0 || end > data.length) {
    if (payloadLength !== 0) notes.push(`IPv6 payload length ${payloadLength} exceeds the ${available - 40} captured bytes`);
    end = data.length;
  }
  let next = data[at + 6];
  let pos = at + 40;
  let fragment = false;
  for (;;) {
    if (EXTENSION_8.has(next) || next === IPV6_AH || next === IPV6_FRAGMENT) {
      if (pos + 8 > end) return { ok: false, reason: `IPv6 extension header ${next} cut short` };
      const nextHeader = data[pos];
      let length: number;
      if (next === IPV6_FRAGMENT) {
        length = 8;
        const offsetFlags = (data[pos + 2] << 8) | data[pos + 3];
        const fragmentOffset = offsetFlags & 0xfff8;
        const more = (offsetFlags & 1) !== 0;
        // An atomic fragment (offset 0, no more) carries the whole packet.
        if (fragmentOffset > 0 || more) {
          fragment = true;
          notes.push(`IPv6 fragment (offset ${fragmentOffset}${more ? ', more fragments' : ''}), not reassembled`);
        }
      } else if (next === IPV6_AH) {
        length = (data[pos + 1] + 2) * 4;
      } else {
        length = (data[pos + 1] + 1) * 8;
      }
      if (pos + length > end) return { ok: false, reason: `IPv6 extension header ${next} cut short` };
      next = nextHeader;
      pos += length;
      if (fragment) break;
      continue;
    }
    break;
  }
  return {
    ok: true,
    ip: {
      version: 6,
      src: formatIpv6(data, at + 8),
      dst: formatIpv6(data, at + 24),
      srcBytes: data.subarray(at + 8, at + 24),
      dstBytes: data.subarray(at + 24, at + 40),
      protocol: next,
      payloadStart: pos,
      payloadEnd: end,
      fragment,
      notes,
    },
  };
}

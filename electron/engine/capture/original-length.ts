/**
 * A frame's length on the wire, recovered from its own headers. `cap` reports only how many bytes it copied, so for a
 * frame cut short (snaplen, or libpcap's fixed 65535 on a 64 KiB loopback segment) the IPv4 total length or the IPv6
 * payload length says how long it really was. Frames that are not IP, or whose length field is 0 (TSO, jumbograms),
 * count as complete. Never below the captured length: Ethernet padding lies past the IP packet.
 */
import { decodeLinkLayer } from '../net/link-layer';

export function originalFrameLength(linkType: number, data: Uint8Array): number {
  const captured = data.length;
  const link = decodeLinkLayer(linkType, data);
  const at = link.offset;
  if (link.network === 'ipv4' && captured >= at + 4 && data[at] >> 4 === 4) {
    const total = (data[at + 2] << 8) | data[at + 3];
    if (total > 0) return Math.max(captured, at + total);
  } else if (link.network === 'ipv6' && captured >= at + 6 && data[at] >> 4 === 6) {
    const payload = (data[at + 4] << 8) | data[at + 5];
    if (payload > 0) return Math.max(captured, at + 40 + payload);
  }
  return captured;
}

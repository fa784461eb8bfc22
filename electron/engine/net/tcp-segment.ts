/** A captured frame → its TCP segment: link layer, IP, then the TCP header. */
import { decodeLinkLayer } from './link-layer';
import { decodeIpv4, decodeIpv6, IP_PROTOCOL_TCP, type IpResult } from './ip';

export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

export interface TcpSegment {
  ipVersion: 4 | 6;
  /** Addresses as text: dotted IPv4, RFC 5952 compressed IPv6. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Raw 32-bit sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  /** TcpFlag bits (the low 8 bits of the flags field). */
  flags: number;
  window: number;
  /** The TCP payload: a view into the frame, Ethernet padding excluded. */
  payload: Uint8Array;
  /** Anything odd but survivable (length mismatch, …). */
  notes: string[];
}

export type TcpDecodeResult = { ok: true; segment: TcpSegment } | { ok: false; reason: string };

/** Decodes the TCP header found at [start, end) of `data`; the addresses come from the IP layer. */
export function decodeTcpHeader(data: Uint8Array, start: number, end: number, ip: { version: 4 | 6; src: string; dst: string }, notes: string[] = []): TcpDecodeResult {
  if (end - start < 20) return { ok: false, reason: `TCP header cut short (${end - start} bytes)` };
  const dataOffset = (data[start + 12] >> 4) * 4;
  if (dataOffset < 20) return { ok: false, reason: `TCP data offset ${dataOffset} is below 20` };
  if (start + dataOffset > end) return { ok: false, reason: 'TCP options cut short' };
  return {
    ok: true,
    segment: {
      ipVersion: ip.version,
      src: ip.src,
      dst: ip.dst,
      srcPort: (data[start] << 8) | data[start + 1],
      dstPort: (data[start + 2] << 8) | data[start + 3],
      seq: ((data[start + 4] << 24) | (data[start + 5] << 16) | (data[start + 6] << 8) | data[start + 7]) >>> 0,
      ack: ((data[start + 8] << 24) | (data[start + 9] << 16) | (data[start + 10] << 8) | data[start + 11]) >>> 0,
      flags: data[start + 13],
      window: (data[start + 14] << 8) | data[start + 15],
      payload: data.subarray(start + dataOffset, end),
      notes,
    },
  };
}

/** Decodes a whole captured frame of the given pcap link type down to its TCP segment. */
export function decodeTcpPacket(linkType: number, data: Uint8Array): TcpDecodeResult {
  const link = decodeLinkLayer(linkType, data);
  let ipResult: IpResult;
  if (link.network === 'ipv4') ipResult = decodeIpv4(data, link.offset);
  else if (link.network === 'ipv6') ipResult = decodeIpv6(data, link.offset);
  else return { ok: false, reason: link.note ?? 'not IP' };
  if (!ipResult.ok) return ipResult;
  const ip = ipResult.ip;
  if (ip.fragment) return { ok: false, reason: ip.notes.join('; ') };
  if (ip.protocol !== IP_PROTOCOL_TCP) return { ok: false, reason: `IP protocol ${ip.protocol} is not TCP` };
  return decodeTcpHeader(data, ip.payloadStart, ip.payloadEnd, ip, ip.notes);
}

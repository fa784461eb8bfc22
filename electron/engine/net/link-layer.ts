/**
 * Link layers Framescope reads: where the IP header starts in a captured frame, per pcap LINKTYPE_* value.
 * Anything that does not carry IPv4/IPv6 comes back as `network: 'other'` with the reason, never as an exception.
 */

export const LinkType = {
  NULL: 0, // BSD loopback: 4-byte address family in the capturing host's byte order
  ETHERNET: 1,
  RAW_BSD_12: 12, // DLT_RAW as some BSDs number it; Wireshark treats it as raw IP too
  RAW_BSD_14: 14,
  RAW: 101,
  LOOP: 108, // OpenBSD loopback: 4-byte address family, network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type NetworkKind = 'ipv4' | 'ipv6' | 'other';

export interface LinkLayerInfo {
  network: NetworkKind;
  /** Offset of the network-layer header in the frame. */
  offset: number;
  /** EtherType of the payload, when the link layer names one. */
  etherType?: number;
  /** 802.1Q/802.1ad VLAN ids, outermost first. */
  vlans: number[];
  /** Why the frame is not IP (or is cut short), for the packet list. */
  note?: string;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
// BSD address-family values for IPv6 differ per OS: NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30, Linux 10.
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

const NO_VLANS: number[] = [];

function other(offset: number, note: string, etherType?: number, vlans = NO_VLANS): LinkLayerInfo {
  return { network: 'other', offset, etherType, vlans, note };
}

function byEtherType(etherType: number, offset: number, vlans: number[]): LinkLayerInfo {
  if (etherType === ETHERTYPE_IPV4) return { network: 'ipv4', offset, etherType, vlans };
  if (etherType === ETHERTYPE_IPV6) return { network: 'ipv6', offset, etherType, vlans };
  return other(offset, `EtherType 0x${etherType.toString(16).padStart(4, '0')} is not IP`, etherType, vlans);
}

function byVersionNibble(data: Uint8Array, offset: number): LinkLayerInfo {
  if (data.length <= offset) return other(offset, 'raw IP frame is empty');
  const v = data[offset] >> 4;
  if (v === 4) return { network: 'ipv4', offset, vlans: NO_VLANS };
  if (v === 6) return { network: 'ipv6', offset, vlans: NO_VLANS };
  return other(offset, `raw IP frame with IP version ${v}`);
}

function byAddressFamily(af: number, offset: number): LinkLayerInfo {
  if (af === AF_INET) return { network: 'ipv4', offset, vlans: NO_VLANS };
  if (AF_INET6.has(af)) return { network: 'ipv6', offset, vlans: NO_VLANS };
  return other(offset, `loopback address family ${af} is not IP`);
}

function ethernet(data: Uint8Array): LinkLayerInfo {
  if (data.length < 14) return other(0, `Ethernet frame of ${data.length} bytes is shorter than its header`);
  let etherType = (data[12] << 8) | data[13];
  let offset = 14;
  let vlans = NO_VLANS;
  while (VLAN_TAGS.has(etherType)) {
    if (data.length < offset + 4) return other(offset, 'VLAN tag cut short', etherType, vlans);
    if (vlans === NO_VLANS) vlans = [];
    vlans.push(((data[offset] << 8) | data[offset + 1]) & 0x0fff);
    etherType = (data[offset + 2] << 8) | data[offset + 3];
    offset += 4;
  }
  if (etherType < 0x0600) return other(offset, '802.3 frame with an LLC header, not IP', undefined, vlans);
  return byEtherType(etherType, offset, vlans);
}

export function decodeLinkLayer(linkType: number, data: Uint8Array): LinkLayerInfo {
  switch (linkType) {
    case LinkType.ETHERNET:
      return ethernet(data);
    case LinkType.LINUX_SLL: {
      // packet type u16, ARPHRD u16, address length u16, address 8 bytes, protocol u16
      if (data.length < 16) return other(0, 'Linux cooked (SLL) header cut short');
      return byEtherType((data[14] << 8) | data[15], 16, NO_VLANS);
    }
    case LinkType.LINUX_SLL2: {
      // protocol u16, reserved u16, interface index u32, ARPHRD u16, packet type u8, address length u8, address 8 bytes
      if (data.length < 20) return other(0, 'Linux cooked v2 (SLL2) header cut short');
      return byEtherType((data[0] << 8) | data[1], 20, NO_VLANS);
    }
    case LinkType.NULL: {
      if (data.length < 4) return other(0, 'loopback header cut short');
      // Written in the capturing host's byte order: a value with its high half set was written the other way round.
      let af = (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0;
      if (af & 0xffff0000) af = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
      return byAddressFamily(af, 4);
    }
    case LinkType.LOOP: {
      if (data.length < 4) return other(0, 'loopback header cut short');
      return byAddressFamily(((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0, 4);
    }
    case LinkType.RAW:
    case LinkType.RAW_BSD_12:
    case LinkType.RAW_BSD_14:
      return byVersionNibble(data, 0);
    case LinkType.IPV4:
      return { network: 'ipv4', offset: 0, vlans: NO_VLANS };
    case LinkType.IPV6:
      return { network: 'ipv6', offset: 0, vlans: NO_VLANS };
    default:
      return other(0, `link type ${linkType} is not supported`);
  }
}

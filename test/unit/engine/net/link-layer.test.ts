import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLinkLayer, LinkType } from '../../../../electron/engine/net/link-layer';
import { decodeTcpPacket } from '../../../../electron/engine/net/tcp-segment';
import { encodePcapng } from '../../../../electron/engine/files/pcapng-writer';
import { TcpSynthesizer } from '../../../../electron/engine/files/tcp-synthesizer';
import { toHex } from '../../../../shared/codec/bytes';
import { tsharkFields } from '../../../support/tshark';

const tmp = mkdtempSync(join(tmpdir(), 'fs-link-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An IP packet carrying TCP payload `text`, cut out of a synthesized Ethernet frame. */
function ipPacket(version: 4 | 6, text: string): Uint8Array {
  const synth = new TcpSynthesizer(version === 4
    ? { client: { ip: '10.9.8.7', port: 40001 }, server: { ip: '10.9.8.1', port: 8070 } }
    : { client: { ip: 'fd00::7', port: 40001 }, server: { ip: 'fd00::1', port: 8070 } });
  synth.open(0n);
  return synth.data('c2s', new TextEncoder().encode(text), 0n)[0].data.subarray(14);
}

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const MACS = hex('020000000002 020000000001');
const v4 = ipPacket(4, 'over-v4');
const v6 = ipPacket(6, 'over-v6');

interface Case { name: string; linkType: number; frame: Uint8Array; network: 'ipv4' | 'ipv6'; offset: number; vlans?: number[] }

const cases: Case[] = [
  { name: 'Ethernet IPv4', linkType: LinkType.ETHERNET, frame: cat(MACS, hex('0800'), v4), network: 'ipv4', offset: 14 },
  { name: 'Ethernet IPv6', linkType: LinkType.ETHERNET, frame: cat(MACS, hex('86dd'), v6), network: 'ipv6', offset: 14 },
  { name: '802.1Q VLAN 100', linkType: LinkType.ETHERNET, frame: cat(MACS, hex('8100 0064 0800'), v4), network: 'ipv4', offset: 18, vlans: [100] },
  { name: 'QinQ 802.1ad 10 / 802.1Q 20', linkType: LinkType.ETHERNET, frame: cat(MACS, hex('88a8 000a 8100 2014 86dd'), v6), network: 'ipv6', offset: 22, vlans: [10, 20] },
  // SLL: packet type 0 (to us), ARPHRD_ETHER 1, address length 6, address padded to 8, protocol.
  { name: 'Linux cooked (SLL)', linkType: LinkType.LINUX_SLL, frame: cat(hex('0000 0001 0006 020000000001 0000 0800'), v4), network: 'ipv4', offset: 16 },
  // SLL2: protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type 4 (outgoing), address length 6, address.
  { name: 'Linux cooked v2 (SLL2)', linkType: LinkType.LINUX_SLL2, frame: cat(hex('86dd 0000 00000002 0001 04 06 020000000001 0000'), v6), network: 'ipv6', offset: 20 },
  { name: 'BSD null, little-endian AF_INET', linkType: LinkType.NULL, frame: cat(hex('02000000'), v4), network: 'ipv4', offset: 4 },
  { name: 'BSD null, big-endian AF_INET', linkType: LinkType.NULL, frame: cat(hex('00000002'), v4), network: 'ipv4', offset: 4 },
  { name: 'BSD null, AF_INET6 = 24 (NetBSD/OpenBSD)', linkType: LinkType.NULL, frame: cat(hex('18000000'), v6), network: 'ipv6', offset: 4 },
  { name: 'BSD null, AF_INET6 = 28 (FreeBSD)', linkType: LinkType.NULL, frame: cat(hex('1c000000'), v6), network: 'ipv6', offset: 4 },
  { name: 'BSD null, AF_INET6 = 30 (macOS), big-endian', linkType: LinkType.NULL, frame: cat(hex('0000001e'), v6), network: 'ipv6', offset: 4 },
  { name: 'OpenBSD loop AF_INET', linkType: LinkType.LOOP, frame: cat(hex('00000002'), v4), network: 'ipv4', offset: 4 },
  { name: 'OpenBSD loop AF_INET6', linkType: LinkType.LOOP, frame: cat(hex('00000018'), v6), network: 'ipv6', offset: 4 },
  { name: 'raw IP (101), IPv4', linkType: LinkType.RAW, frame: v4, network: 'ipv4', offset: 0 },
  { name: 'raw IP (101), IPv6', linkType: LinkType.RAW, frame: v6, network: 'ipv6', offset: 0 },
  { name: 'IPv4 (228)', linkType: LinkType.IPV4, frame: v4, network: 'ipv4', offset: 0 },
  { name: 'IPv6 (229)', linkType: LinkType.IPV6, frame: v6, network: 'ipv6', offset: 0 },
];

describe('link layers', () => {
  it.each(cases)('$name', (c) => {
    const info = decodeLinkLayer(c.linkType, c.frame);
    expect(info.network).toBe(c.network);
    expect(info.offset).toBe(c.offset);
    expect(info.vlans).toEqual(c.vlans ?? []);
    const tcp = decodeTcpPacket(c.linkType, c.frame);
    expect(tcp.ok && new TextDecoder().decode(tcp.segment.payload)).toBe(c.network === 'ipv4' ? 'over-v4' : 'over-v6');
  });

  it('agrees with tshark on every one of them', () => {
    // One pcapng with an interface per link type; tshark must find the same addresses, ports and payload.
    const file = join(tmp, 'links.pcapng');
    writeFileSync(file, encodePcapng(cases.map((c, i) => ({ linkType: c.linkType, timestamp: BigInt(i) * 1000n, data: c.frame }))));
    const rows = tsharkFields(file, ['ip.src', 'ipv6.src', 'tcp.srcport', 'tcp.dstport', 'tcp.payload']);
    expect(rows).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const r = decodeTcpPacket(c.linkType, c.frame);
      if (!r.ok) throw new Error(r.reason);
      const s = r.segment;
      expect([c.name, ...rows[i]]).toEqual([c.name, s.ipVersion === 4 ? s.src : '', s.ipVersion === 6 ? s.src : '', String(s.srcPort), String(s.dstPort), toHex(s.payload)]);
    });
  });

  it('says why a frame is not IP, without throwing', () => {
    expect(decodeLinkLayer(LinkType.ETHERNET, cat(MACS, hex('0806'), new Uint8Array(28))).note).toMatch(/EtherType 0x0806 is not IP/);
    expect(decodeLinkLayer(LinkType.ETHERNET, cat(MACS, hex('0026 aaaa03'))).note).toMatch(/LLC/);
    expect(decodeLinkLayer(LinkType.ETHERNET, hex('0102')).note).toMatch(/shorter than its header/);
    expect(decodeLinkLayer(LinkType.ETHERNET, cat(MACS, hex('8100 00')))).toMatchObject({ network: 'other', note: 'VLAN tag cut short' });
    expect(decodeLinkLayer(LinkType.LINUX_SLL, hex('0000')).note).toMatch(/SLL/);
    expect(decodeLinkLayer(LinkType.LINUX_SLL2, hex('0800')).note).toMatch(/SLL2/);
    expect(decodeLinkLayer(LinkType.NULL, hex('07000000')).note).toMatch(/address family 7/);
    expect(decodeLinkLayer(LinkType.RAW, hex('50')).note).toMatch(/IP version 5/);
    expect(decodeLinkLayer(LinkType.RAW, new Uint8Array(0)).note).toMatch(/empty/);
    expect(decodeLinkLayer(147, v4).note).toMatch(/link type 147 is not supported/);
  });
});

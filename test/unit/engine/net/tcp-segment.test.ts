import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTcpPacket, TcpFlag } from '../../../../electron/engine/net/tcp-segment';
import { decodeIpv4, decodeIpv6 } from '../../../../electron/engine/net/ip';
import { LinkType } from '../../../../electron/engine/net/link-layer';
import { encodePcapng } from '../../../../electron/engine/files/pcapng-writer';
import { TcpSynthesizer } from '../../../../electron/engine/files/tcp-synthesizer';
import { toHex } from '../../../../shared/codec/bytes';
import { tsharkFields } from '../../../support/tshark';

const tmp = mkdtempSync(join(tmpdir(), 'fs-tcp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A raw IP packet (no link layer) carrying `text` from client to server. */
function ipPacket(version: 4 | 6, text: string, clientIsn = 1000): Uint8Array {
  const synth = new TcpSynthesizer(version === 4
    ? { client: { ip: '192.0.2.1', port: 51000 }, server: { ip: '198.51.100.7', port: 46367 }, clientIsn }
    : { client: { ip: '2001:db8:0:0:1::1', port: 51000 }, server: { ip: '2001:db8::ff00:42:8329', port: 46367 }, clientIsn });
  synth.open(0n);
  return synth.data('c2s', new TextEncoder().encode(text), 0n)[0].data.slice(14);
}

/** Inserts IPv6 extension headers (each given with its own next-header byte placeholder) after the fixed header. */
function withExtensions(packet: Uint8Array, headers: { type: number; bytes: Uint8Array }[]): Uint8Array {
  const fixed = packet.slice(0, 40);
  const rest = packet.slice(40);
  const chain = headers.map((h, i) => {
    const b = h.bytes.slice();
    b[0] = i + 1 < headers.length ? headers[i + 1].type : fixed[6];
    return b;
  });
  const out = cat(fixed, ...chain, rest);
  out[6] = headers[0].type;
  const payloadLength = out.length - 40;
  out[4] = payloadLength >> 8;
  out[5] = payloadLength & 0xff;
  return out;
}

describe('TCP segments from frames', () => {
  it('reads the header fields and the payload', () => {
    const r = decodeTcpPacket(LinkType.RAW, ipPacket(4, 'hello', 0xfffffffe));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.segment).toMatchObject({
      ipVersion: 4, src: '192.0.2.1', dst: '198.51.100.7', srcPort: 51000, dstPort: 46367,
      seq: 0xffffffff, flags: TcpFlag.ACK | TcpFlag.PSH, window: 65535,
    });
    expect(new TextDecoder().decode(r.segment.payload)).toBe('hello');
    const r6 = decodeTcpPacket(LinkType.RAW, ipPacket(6, 'v6'));
    expect(r6.ok && [r6.segment.src, r6.segment.dst, r6.segment.ipVersion]).toEqual(['2001:db8::1:0:0:1', '2001:db8::ff00:42:8329', 6]);
  });

  it('leaves out Ethernet padding, using the IP length', () => {
    const frame = cat(hex('020000000002 020000000001 0800'), ipPacket(4, 'x'));
    const padded = cat(frame, new Uint8Array(60 - frame.length)); // a minimum-size Ethernet frame
    const r = decodeTcpPacket(LinkType.ETHERNET, padded);
    expect(r.ok && toHex(r.segment.payload)).toBe('78');
  });

  it('skips IPv4 options and TCP options', () => {
    const p = ipPacket(4, 'opt');
    // IHL 6: one 4-byte option (NOP NOP NOP EOL) after the 20-byte header.
    const withOption = cat(p.slice(0, 20), hex('01010100'), p.slice(20));
    withOption[0] = 0x46;
    withOption[3] += 4;
    const r = decodeTcpPacket(LinkType.RAW, withOption);
    expect(r.ok && new TextDecoder().decode(r.segment.payload)).toBe('opt');
  });

  it('skips IPv6 extension headers: hop-by-hop, routing, destination options, AH', () => {
    const p = ipPacket(6, 'behind extensions');
    const ext = withExtensions(p, [
      { type: 0, bytes: hex('00 00 0104 00000000') }, // hop-by-hop, PadN
      { type: 43, bytes: hex('00 00 00 00 00000000') }, // routing, type 0 with no segments left
      { type: 60, bytes: hex('00 01 010c 000000000000 000000000000') }, // destination options, 16 bytes (PadN 12)
      { type: 51, bytes: hex('00 01 0000 00000001 00000001') }, // AH, (1+2)*4 = 12 bytes
    ]);
    const ip = decodeIpv6(ext, 0);
    expect(ip.ok && [ip.ip.protocol, ip.ip.payloadStart]).toEqual([6, 40 + 8 + 8 + 16 + 12]);
    const r = decodeTcpPacket(LinkType.IPV6, ext);
    expect(r.ok && new TextDecoder().decode(r.segment.payload)).toBe('behind extensions');
  });

  it('notes fragments and does not reassemble them', () => {
    const p = ipPacket(4, 'fragment me');
    const first = p.slice();
    first[6] = 0x20; // more fragments, offset 0
    expect(decodeTcpPacket(LinkType.RAW, first)).toEqual({ ok: false, reason: 'IPv4 fragment (offset 0, more fragments), not reassembled' });
    const later = p.slice();
    later[6] = 0x00;
    later[7] = 0x03; // offset 3 * 8
    const ip = decodeIpv4(later, 0);
    expect(ip.ok && ip.ip.notes).toEqual(['IPv4 fragment (offset 24), not reassembled']);
    const frag6 = withExtensions(ipPacket(6, 'frag'), [{ type: 44, bytes: hex('00 00 0001 12345678') }]); // offset 0, M=1
    expect(decodeTcpPacket(LinkType.IPV6, frag6)).toMatchObject({ ok: false, reason: expect.stringMatching(/IPv6 fragment \(offset 0, more fragments\)/) });
    const atomic = withExtensions(ipPacket(6, 'atomic'), [{ type: 44, bytes: hex('00 00 0000 12345678') }]);
    const r = decodeTcpPacket(LinkType.IPV6, atomic);
    expect(r.ok && new TextDecoder().decode(r.segment.payload)).toBe('atomic');
  });

  it('reports, without throwing, what is not a complete TCP segment', () => {
    const p = ipPacket(4, 'abc');
    const udp = p.slice();
    udp[9] = 17;
    expect(decodeTcpPacket(LinkType.RAW, udp)).toEqual({ ok: false, reason: 'IP protocol 17 is not TCP' });
    expect(decodeTcpPacket(LinkType.RAW, p.slice(0, 30))).toMatchObject({ ok: false, reason: expect.stringMatching(/TCP header cut short/) });
    expect(decodeTcpPacket(LinkType.RAW, p.slice(0, 12))).toMatchObject({ ok: false, reason: expect.stringMatching(/IPv4 header cut short/) });
    expect(decodeTcpPacket(LinkType.IPV4, ipPacket(6, 'x'))).toMatchObject({ ok: false, reason: expect.stringMatching(/IP version 6 where IPv4/) });
    const badOffset = p.slice();
    badOffset[20 + 12] = 0x40; // data offset 16 bytes
    expect(decodeTcpPacket(LinkType.RAW, badOffset)).toMatchObject({ ok: false, reason: expect.stringMatching(/data offset 16/) });
    // A capture cut short by the snap length still yields what is there, with a note.
    const cut = decodeTcpPacket(LinkType.RAW, p.slice(0, p.length - 1));
    expect(cut.ok && [toHex(cut.segment.payload), cut.segment.notes[0]]).toEqual(['6162', expect.stringMatching(/exceeds the \d+ captured bytes/)]);
    // Total length 0, as TSO captures show it: trust what was captured.
    const tso = p.slice();
    tso[2] = 0;
    tso[3] = 0;
    const t = decodeTcpPacket(LinkType.RAW, tso);
    expect(t.ok && toHex(t.segment.payload)).toBe('616263');
  });

  it('agrees with tshark on the odd cases', () => {
    const frames = [
      withExtensions(ipPacket(6, 'ext'), [{ type: 0, bytes: hex('00 00 0104 00000000') }, { type: 60, bytes: hex('00 00 0104 00000000') }]),
      ipPacket(4, 'plain', 0xfffffff0),
      cat(ipPacket(4, 'p'), new Uint8Array(20)).subarray(0), // trailing junk after the IP packet
    ];
    const file = join(tmp, 'odd.pcapng');
    writeFileSync(file, encodePcapng(frames.map((data) => ({ linkType: LinkType.RAW, timestamp: 0n, data }))));
    const rows = tsharkFields(file, ['tcp.srcport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.payload'], ['-o', 'tcp.check_checksum:TRUE']);
    frames.forEach((f, i) => {
      const r = decodeTcpPacket(LinkType.RAW, f);
      if (!r.ok) throw new Error(r.reason);
      const s = r.segment;
      expect(rows[i]).toEqual([String(s.srcPort), String(s.seq), String(s.ack), `0x${s.flags.toString(16).padStart(4, '0')}`, toHex(s.payload)]);
    });
  });
});

/**
 * The fast TCP decoder against `decodeTcpPacket`: whenever it answers, the segment is the same; it answers for the
 * common Ethernet/IPv4/TCP packet; and on mutated and cut packets it either agrees or declines.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FastTcpDecoder } from '../../../../electron/engine/capture/fast-tcp';
import { parseCapture } from '../../../../electron/engine/files/capture-file-reader';
import { TcpSynthesizer } from '../../../../electron/engine/files/tcp-synthesizer';
import { decodeTcpPacket } from '../../../../electron/engine/net/tcp-segment';
import { FIXTURE_ROOT } from '../../../support/fixtures';

function agree(fast: FastTcpDecoder, linkType: number, data: Uint8Array): boolean {
  const got = fast.decode(linkType, data);
  const want = decodeTcpPacket(linkType, data);
  if (got === undefined) return false;
  expect(want.ok).toBe(true);
  if (want.ok) expect(got).toEqual(want.segment);
  return true;
}

function synthesized(): { linkType: number; data: Uint8Array }[] {
  const s = new TcpSynthesizer({ client: { ip: '10.1.2.3', port: 40000 }, server: { ip: '192.168.200.1', port: 20180 } });
  return [
    ...s.open(1n), ...s.data('c2s', new Uint8Array([1, 2, 3]), 2n), ...s.data('s2c', new Uint8Array(1400).fill(7), 3n),
    ...s.data('c2s', new Uint8Array(0), 4n), ...s.close('fin', 'c2s', 5n),
  ];
}

describe('FastTcpDecoder', () => {
  it('gives decodeTcpPacket\'s segment for synthesized Ethernet/IPv4 packets', () => {
    const fast = new FastTcpDecoder();
    for (const p of synthesized()) expect(agree(fast, p.linkType, p.data)).toBe(true);
  });

  it('agrees or declines on every packet of the capture fixtures', () => {
    const fast = new FastTcpDecoder();
    for (const file of ['ipv4-usec.pcap', 'ipv4-nsec.pcap', 'ipv6-nsec.pcapng', 'commented.pcapng', 'multi-interface.pcapng', 'two-sections.pcapng']) {
      for (const p of parseCapture(readFileSync(join(FIXTURE_ROOT, 'pcap', file))).packets) agree(fast, p.linkType, p.data);
    }
  });

  it('agrees or declines on mutated and cut packets', () => {
    const packets = synthesized();
    const fast = new FastTcpDecoder();
    fc.assert(fc.property(
      fc.nat(packets.length - 1), fc.array(fc.tuple(fc.nat(80), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(),
      (which, flips, cut) => {
        const data = packets[which].data.slice();
        for (const [at, v] of flips) if (at < data.length) data[at] = v;
        const cutAt = cut % 3 === 0 ? cut % (data.length + 1) : data.length;
        agree(fast, packets[which].linkType, data.subarray(0, cutAt));
      },
    ), { numRuns: 2000 });
  });
});

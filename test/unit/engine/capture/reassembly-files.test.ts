import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CaptureFileReader } from '../../../../electron/engine/files/capture-file-reader';
import { TcpReassembler, type ReassemblyEvent } from '../../../../electron/engine/capture/tcp-reassembly';
import { decodeTcpPacket } from '../../../../electron/engine/net/tcp-segment';
import { toHex } from '../../../../shared/codec/bytes';
import { followTcp } from '../../../support/tshark';

const FIXTURES = join(__dirname, '../../../fixtures/pcap');

/** Streams a capture file through decode and reassembly. */
async function reassemble(file: string): Promise<ReassemblyEvent[]> {
  const r = new TcpReassembler();
  const events: ReassemblyEvent[] = [];
  let n = 0;
  for await (const p of new CaptureFileReader(file)) {
    const d = decodeTcpPacket(p.linkType, p.data);
    if (!d.ok) throw new Error(`packet ${n + 1}: ${d.reason}`);
    r.push(d.segment, p.timestamp, ++n, events);
  }
  r.end(undefined, events);
  return events;
}

function streamOf(events: ReassemblyEvent[], connectionId: number, direction: 'c2s' | 's2c'): string {
  return events.map((e) => (e.type === 'data' && e.connectionId === connectionId && e.direction === direction ? toHex(e.bytes) : '')).join('');
}

describe('reassembly of files written by real tools, against tshark Follow TCP Stream', () => {
  it.each([
    ['ipv4-usec.pcap', 1],
    ['ipv4-nsec.pcap', 1],
    ['ipv6-nsec.pcapng', 1],
    ['multi-interface.pcapng', 2], // the same conversation over Ethernet and over raw IP, with other addresses
    ['two-sections.pcapng', 3],
  ])('%s', async (name, streams) => {
    const file = join(FIXTURES, name);
    const events = await reassemble(file);
    const opens = events.filter((e) => e.type === 'open');
    expect(opens).toHaveLength(streams);
    for (let i = 0; i < streams; i++) {
      const open = opens[i];
      if (open.type !== 'open') throw new Error('unreachable');
      // Captured mid-connection: the higher port, 50123, is the client.
      expect(open.connection).toMatchObject({ start: 'midstream', client: { port: 50123 }, server: { port: 20180 } });
      const follow = followTcp(file, i);
      expect(follow.c2s.length * follow.s2c.length).toBeGreaterThan(0);
      expect(follow.nodes[0]).toMatch(/50123$/); // tshark's node 0 (first sender) is our client here
      expect(streamOf(events, open.connection.id, 'c2s')).toBe(toHex(follow.c2s));
      expect(streamOf(events, open.connection.id, 's2c')).toBe(toHex(follow.s2c));
    }
    expect(events.some((e) => e.type === 'gap' || e.type === 'overlap')).toBe(false);
  });
});

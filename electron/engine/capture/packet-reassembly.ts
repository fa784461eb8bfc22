/**
 * The half of ingest that needs no session: captured packets → link layer → IP → TCP → reassembly events. It
 * imports no protocol, so the worker thread of file-ingest.ts that runs it starts quickly.
 */
import type { CapturePacket } from '../files/capture-model';
import { decodeTcpPacket } from '../net/tcp-segment';
import { FastTcpDecoder } from './fast-tcp';
import type { IngestStats } from './packet-ingest';
import { TcpReassembler, type ReassemblyEvent } from './tcp-reassembly';

/** Packets in, reassembly events out (`packet` in the events is the packet's number from 1). */
export class PacketReassembly {
  private readonly reassembler: TcpReassembler;
  private readonly fast = new FastTcpDecoder();
  readonly stats: Omit<IngestStats, 'gaps'> = { packets: 0, tcpPackets: 0, ignored: 0 };

  constructor(isServerPort: (port: number) => boolean) {
    this.reassembler = new TcpReassembler({ isServerPort });
  }

  push(packet: CapturePacket, out: ReassemblyEvent[]): void {
    this.stats.packets++;
    let segment = this.fast.decode(packet.linkType, packet.data);
    if (!segment) {
      const tcp = decodeTcpPacket(packet.linkType, packet.data);
      if (!tcp.ok) { this.stats.ignored++; return; }
      segment = tcp.segment;
    }
    this.stats.tcpPackets++;
    this.reassembler.push(segment, packet.timestamp, this.stats.packets, out);
  }

  /** End of the capture: holes still open become gaps, buffered bytes are delivered. */
  end(out: ReassemblyEvent[]): void {
    this.reassembler.end(undefined, out);
  }
}

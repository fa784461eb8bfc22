/**
 * Captured packets (from a file or a live interface) into a session: link layer → IP → TCP → reassembly per flow
 * and direction → the session's deframers. Gaps are passed on so decoding resumes after a resync.
 */
import type { CapturePacket } from '../files/capture-model';
import { decodeTcpPacket } from '../net/tcp-segment';
import type { Session } from '../session/session';
import { protocolForPort } from '../../../shared/protocols/index';
import { FastTcpDecoder } from './fast-tcp';
import { TcpReassembler, type ReassemblyEvent } from './tcp-reassembly';

export interface IngestStats {
  packets: number;
  tcpPackets: number;
  /** Packets that were not TCP over IP (ARP, UDP …) or were cut short. */
  ignored: number;
  gaps: number;
}

export class PacketIngest {
  private readonly reassembler: TcpReassembler;
  /** Reassembly connection id → session connection id. */
  private readonly ids = new Map<number, number>();
  private readonly events: ReassemblyEvent[] = [];
  private readonly fast = new FastTcpDecoder();
  readonly stats: IngestStats = { packets: 0, tcpPackets: 0, ignored: 0, gaps: 0 };

  constructor(private readonly session: Session, private readonly source: 'capture' | 'file', private readonly protocol = 'auto') {
    this.reassembler = new TcpReassembler({ isServerPort: (port) => protocolForPort(port) !== undefined || session.hasDecodeAs(port) });
  }

  push(packet: CapturePacket): void {
    this.stats.packets++;
    let segment = this.fast.decode(packet.linkType, packet.data);
    if (!segment) {
      const tcp = decodeTcpPacket(packet.linkType, packet.data);
      if (!tcp.ok) { this.stats.ignored++; return; }
      segment = tcp.segment;
    }
    this.stats.tcpPackets++;
    this.events.length = 0;
    this.reassembler.push(segment, packet.timestamp, this.stats.packets, this.events);
    this.apply(this.events);
  }

  /** End of the capture: holes still open become gaps, buffered bytes are delivered. */
  end(): void {
    this.events.length = 0;
    this.reassembler.end(undefined, this.events);
    this.apply(this.events);
  }

  private apply(events: ReassemblyEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'open': {
          const c = e.connection;
          this.ids.set(c.id, this.session.openConnection({
            source: this.source, client: { host: c.client.ip, port: c.client.port }, server: { host: c.server.ip, port: c.server.port },
            protocol: this.protocol, time: e.timestamp,
          }));
          break;
        }
        case 'data': this.session.data(this.id(e.connectionId), e.direction, e.bytes, e.timestamp); break;
        case 'gap':
          this.stats.gaps++;
          this.session.gap(this.id(e.connectionId), e.direction, e.length);
          break;
        case 'fin': this.session.connectionEvent(this.id(e.connectionId), 'half-close', `${e.direction === 'c2s' ? 'client' : 'server'} sent FIN`, e.timestamp); break;
        case 'close':
          if (e.reason === 'rst') this.session.connectionEvent(this.id(e.connectionId), 'reset', `${e.by === 'c2s' ? 'client' : 'server'} sent RST`, e.timestamp);
          this.session.connectionEvent(this.id(e.connectionId), 'closed', undefined, e.timestamp);
          break;
        case 'overlap': break;
      }
    }
  }

  private id(reassemblyId: number): number {
    const id = this.ids.get(reassemblyId);
    if (id === undefined) throw new Error(`reassembly connection ${reassemblyId} was never opened`);
    return id;
  }
}

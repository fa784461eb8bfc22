/**
 * Captured packets (from a file or a live interface) into a session: link layer → IP → TCP → reassembly per flow
 * and direction → the session's deframers. Gaps are passed on so decoding resumes after a resync.
 *
 * The first half (packets → reassembly events) needs no session: `PacketReassembly` (packet-reassembly.ts), which
 * file-ingest.ts runs on a worker thread for a capture file; `PacketIngest` is both halves on one thread.
 */
import type { CapturePacket } from '../files/capture-model';
import type { Session } from '../session/session';
import { PROTOCOLS, protocolForPort } from '../../../shared/protocols/index';
import { PacketReassembly } from './packet-reassembly';
import type { ReassemblyEvent } from './tcp-reassembly';

export interface IngestStats {
  packets: number;
  tcpPackets: number;
  /** Packets that were not TCP over IP (ARP, UDP …) or were cut short. */
  ignored: number;
  gaps: number;
}

export class PacketIngest {
  private readonly reassembly: PacketReassembly;
  /** Reassembly connection id → session connection id (reassembly numbers its connections 1, 2, 3 …). */
  private readonly ids: number[] = [];
  private readonly events: ReassemblyEvent[] = [];
  /** The packet counts: this thread's reassembly's, or those of one that ran elsewhere (applyEvents). */
  private packetCounts: Omit<IngestStats, 'gaps'>;
  private gaps = 0;

  constructor(private readonly session: Session, private readonly source: 'capture' | 'file', private readonly protocol = 'auto') {
    this.reassembly = new PacketReassembly((port) => this.isServerPort(port));
    this.packetCounts = this.reassembly.stats;
  }

  get stats(): IngestStats {
    return { ...this.packetCounts, gaps: this.gaps };
  }

  /** Identifies the server of a connection seen mid-stream: a protocol's port, or one with a Decode As rule. */
  isServerPort(port: number): boolean {
    return protocolForPort(port) !== undefined || this.session.hasDecodeAs(port);
  }

  /** isServerPort of every port, one byte each (1 = yes), for a reassembly on another thread. */
  serverPortMap(): Uint8Array {
    const map = new Uint8Array(65536);
    for (const p of PROTOCOLS) for (const port of p.ports) map[port] = 1;
    for (const port of this.session.decodeAsPorts()) map[port] = 1;
    return map;
  }

  push(packet: CapturePacket): void {
    this.events.length = 0;
    this.reassembly.push(packet, this.events);
    this.apply(this.events);
  }

  /** End of the capture: holes still open become gaps, buffered bytes are delivered. */
  end(): void {
    this.events.length = 0;
    this.reassembly.end(this.events);
    this.apply(this.events);
  }

  /**
   * Events of a `PacketReassembly` that ran elsewhere (a worker thread reading the file), in their order, and that
   * reassembly's packet counts once it is done.
   */
  applyEvents(events: readonly ReassemblyEvent[], stats?: Omit<IngestStats, 'gaps'>): void {
    this.apply(events);
    if (stats) this.packetCounts = stats;
  }

  private apply(events: readonly ReassemblyEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'open': {
          const c = e.connection;
          this.ids[c.id] = this.session.openConnection({
            source: this.source, client: { host: c.client.ip, port: c.client.port }, server: { host: c.server.ip, port: c.server.port },
            protocol: this.protocol, time: e.timestamp,
          });
          break;
        }
        case 'data': this.session.data(this.id(e.connectionId), e.direction, e.bytes, e.timestamp); break;
        case 'gap':
          this.gaps++;
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
    const id = this.ids[reassemblyId];
    if (id === undefined) throw new Error(`reassembly connection ${reassemblyId} was never opened`);
    return id;
  }
}

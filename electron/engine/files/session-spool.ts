/**
 * A session as pcapng: captured packets as captured, proxied and crafted connections as synthesized
 * Ethernet/IP/TCP packets (handshake, seq/ack, MSS-sized segments, FIN or RST), so Wireshark's Follow TCP Stream
 * gives back exactly the bytes that crossed the proxy. Used for the live session's spool and for
 * `framescope proxy --write`. Flushed at least once a second, so a crash loses at most the last second.
 */
import type { Endpoint } from '../../../shared/model/session';
import type { RelayRecord } from '../proxy/relay';
import { PcapngWriter, type PacketToWrite } from './pcapng-writer';
import { TcpSynthesizer, type SynthesizedPacket } from './tcp-synthesizer';

const FLUSH_MS = 1000;

export class SessionSpool {
  private synths = new Map<number, TcpSynthesizer>();
  private timer: NodeJS.Timeout;
  packets = 0;

  private constructor(private readonly writer: PcapngWriter) {
    this.timer = setInterval(() => { void this.writer.flush(); }, FLUSH_MS).unref();
  }

  static async create(path: string, comment?: string): Promise<SessionSpool> {
    return new SessionSpool(await PcapngWriter.create(path, { comments: comment ? [comment] : [] }));
  }

  open(connection: number, client: Endpoint, server: Endpoint): void {
    // Peers named by host name (an upstream given as `localhost`) are written with loopback addresses.
    this.synths.set(connection, new TcpSynthesizer({ client: { ip: address(client.host), port: client.port }, server: { ip: address(server.host, client.host), port: server.port } }));
  }

  /** A relay record of a connection opened with open(). */
  record(connection: number, r: RelayRecord, time: bigint): void {
    const synth = this.synths.get(connection);
    if (!synth) return;
    let packets: SynthesizedPacket[] = [];
    switch (r.kind) {
      case 'data':
        if (!synth.isOpen) packets = synth.open(time);
        packets = packets.concat(synth.data(r.direction, r.bytes, time));
        break;
      case 'upstream-connected': if (!synth.isOpen) packets = synth.open(time); break;
      case 'upstream-failed': packets = synth.connectFailed(time); this.synths.delete(connection); break;
      case 'reset': if (synth.isOpen) packets = synth.close('rst', r.by === 'client' ? 'c2s' : 's2c', time); this.synths.delete(connection); break;
      case 'closed': if (synth.isOpen) packets = synth.close('fin', 'c2s', time); this.synths.delete(connection); break;
      default: break;
    }
    for (const p of packets) { this.writer.append(p); this.packets++; }
  }

  /** A packet as captured from an interface or read from a file. */
  captured(packet: PacketToWrite): void {
    this.writer.append(packet);
    this.packets++;
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const at = BigInt(Date.now()) * 1_000_000n;
    for (const synth of this.synths.values()) if (synth.isOpen) for (const p of synth.close('fin', 'c2s', at)) this.writer.append(p);
    this.synths.clear();
    await this.writer.close();
  }
}

/** The IP address to write for a host: itself when it is one, else loopback of the other side's family. */
function address(host: string, like?: string): string {
  const bare = host.replace(/^\[|\]$/g, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bare) || bare.includes(':')) return bare;
  return like && address(like).includes(':') ? '::1' : '127.0.0.1';
}

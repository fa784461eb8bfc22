/**
 * Turns a recorded TCP conversation (what a proxy saw as socket events) into the Ethernet/IP/TCP packets that would
 * have carried it, so a spool or export opens in Wireshark with a handshake, correct seq/ack, checksums and a
 * teardown, and Follow TCP Stream gives back exactly the recorded bytes.
 *
 * Shape of the packets: SYN (with an MSS option), SYN+ACK, ACK; each data event as segments of at most the MSS (PSH
 * on the last) acknowledged by the peer with one ACK (and one every 16 segments, so the 65535-byte window is never
 * overrun); close 'fin' as FIN+ACK, FIN+ACK, ACK from the closing side; close 'rst' as one RST+ACK; a failed connect
 * as SYN then RST+ACK from the server. Every packet of one event carries that event's timestamp.
 */
import { parseIpAddress } from '../net/ip-address';
import { internetChecksum, transportChecksum } from '../net/internet-checksum';
import { LinkType } from '../net/link-layer';
import { TcpFlag } from '../net/tcp-segment';
import type { Direction } from '../capture/tcp-reassembly';

export interface SynthEndpoint {
  ip: string;
  port: number;
}

export interface SynthConnection {
  client: SynthEndpoint;
  server: SynthEndpoint;
  /** Initial sequence numbers; by default derived from the ports (stable, so outputs are reproducible). */
  clientIsn?: number;
  serverIsn?: number;
  /** Largest segment payload; default 1460 over IPv4, 1440 over IPv6. */
  mss?: number;
}

export type SynthEvent =
  | { type: 'open'; timestamp: bigint }
  | { type: 'data'; direction: Direction; bytes: Uint8Array; timestamp: bigint }
  | { type: 'close'; how: 'fin' | 'rst'; by?: Direction; timestamp: bigint }
  | { type: 'connect-failed'; timestamp: bigint };

export interface SynthesizedPacket {
  linkType: number;
  timestamp: bigint;
  data: Uint8Array;
}

const CLIENT_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const SERVER_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
const WINDOW = 65535;
const ACK_EVERY_SEGMENTS = 16;

interface Side {
  mac: Uint8Array;
  ip: Uint8Array;
  port: number;
  /** Next sequence number this side sends. */
  seq: number;
  ipId: number;
}

type State = 'new' | 'open' | 'closed';

export class TcpSynthesizerError extends Error {}

export class TcpSynthesizer {
  private readonly ipVersion: 4 | 6;
  private readonly client: Side;
  private readonly server: Side;
  private readonly mss: number;
  private state: State = 'new';

  constructor(connection: SynthConnection) {
    const c = parseIpAddress(connection.client.ip);
    const s = parseIpAddress(connection.server.ip);
    if (c.version !== s.version) throw new TcpSynthesizerError('client and server addresses are of different IP versions');
    this.ipVersion = c.version;
    const { client, server } = connection;
    this.client = { mac: CLIENT_MAC, ip: c.bytes, port: client.port, seq: (connection.clientIsn ?? defaultIsn(client.port, server.port)) >>> 0, ipId: 1 };
    this.server = { mac: SERVER_MAC, ip: s.bytes, port: server.port, seq: (connection.serverIsn ?? defaultIsn(server.port, client.port) ^ 0x5a5a5a5a) >>> 0, ipId: 1 };
    this.mss = connection.mss ?? (this.ipVersion === 4 ? 1460 : 1440);
    if (this.mss < 1 || this.mss > 65535) throw new TcpSynthesizerError(`MSS ${this.mss} is out of range`);
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  apply(event: SynthEvent): SynthesizedPacket[] {
    switch (event.type) {
      case 'open': return this.open(event.timestamp);
      case 'data': return this.data(event.direction, event.bytes, event.timestamp);
      case 'close': return this.close(event.how, event.by ?? 'c2s', event.timestamp);
      case 'connect-failed': return this.connectFailed(event.timestamp);
    }
  }

  /** The three-way handshake. */
  open(timestamp: bigint): SynthesizedPacket[] {
    this.expect('new', 'open');
    const c = this.client;
    const s = this.server;
    const mss = Uint8Array.of(2, 4, this.mss >> 8, this.mss & 0xff);
    const out = [
      this.packet(c, s, TcpFlag.SYN, c.seq, 0, EMPTY, timestamp, mss),
      this.packet(s, c, TcpFlag.SYN | TcpFlag.ACK, s.seq, c.seq + 1, EMPTY, timestamp, mss),
    ];
    c.seq = (c.seq + 1) >>> 0;
    s.seq = (s.seq + 1) >>> 0;
    out.push(this.packet(c, s, TcpFlag.ACK, c.seq, s.seq, EMPTY, timestamp));
    this.state = 'open';
    return out;
  }

  /** Bytes sent by one side; opens the connection first if nobody did. */
  data(direction: Direction, bytes: Uint8Array, timestamp: bigint): SynthesizedPacket[] {
    const out = this.state === 'new' ? this.open(timestamp) : [];
    this.expect('open', 'data');
    if (bytes.length === 0) return out;
    const [from, to] = direction === 'c2s' ? [this.client, this.server] : [this.server, this.client];
    let segments = 0;
    for (let at = 0; at < bytes.length; at += this.mss) {
      const chunk = bytes.subarray(at, Math.min(bytes.length, at + this.mss));
      const last = at + this.mss >= bytes.length;
      out.push(this.packet(from, to, TcpFlag.ACK | (last ? TcpFlag.PSH : 0), from.seq, to.seq, chunk, timestamp));
      from.seq = (from.seq + chunk.length) >>> 0;
      if (++segments % ACK_EVERY_SEGMENTS === 0 && !last) out.push(this.packet(to, from, TcpFlag.ACK, to.seq, from.seq, EMPTY, timestamp));
    }
    out.push(this.packet(to, from, TcpFlag.ACK, to.seq, from.seq, EMPTY, timestamp));
    return out;
  }

  /** Orderly close (FIN both ways, started by `by`) or abort (RST from `by`). */
  close(how: 'fin' | 'rst', by: Direction, timestamp: bigint): SynthesizedPacket[] {
    this.expect('open', 'close');
    const [from, to] = by === 'c2s' ? [this.client, this.server] : [this.server, this.client];
    this.state = 'closed';
    if (how === 'rst') return [this.packet(from, to, TcpFlag.RST | TcpFlag.ACK, from.seq, to.seq, EMPTY, timestamp)];
    const out = [this.packet(from, to, TcpFlag.FIN | TcpFlag.ACK, from.seq, to.seq, EMPTY, timestamp)];
    from.seq = (from.seq + 1) >>> 0;
    out.push(this.packet(to, from, TcpFlag.FIN | TcpFlag.ACK, to.seq, from.seq, EMPTY, timestamp));
    to.seq = (to.seq + 1) >>> 0;
    out.push(this.packet(from, to, TcpFlag.ACK, from.seq, to.seq, EMPTY, timestamp));
    return out;
  }

  /** A connect the server refused: SYN, then RST+ACK. */
  connectFailed(timestamp: bigint): SynthesizedPacket[] {
    this.expect('new', 'connect-failed');
    const c = this.client;
    const s = this.server;
    this.state = 'closed';
    const syn = this.packet(c, s, TcpFlag.SYN, c.seq, 0, EMPTY, timestamp, Uint8Array.of(2, 4, this.mss >> 8, this.mss & 0xff));
    return [syn, this.packet(s, c, TcpFlag.RST | TcpFlag.ACK, 0, c.seq + 1, EMPTY, timestamp)];
  }

  private expect(state: State, what: string): void {
    if (this.state !== state) throw new TcpSynthesizerError(`cannot ${what}: the connection is ${this.state}`);
  }

  private packet(from: Side, to: Side, flags: number, seq: number, ack: number, payload: Uint8Array, timestamp: bigint, options = EMPTY): SynthesizedPacket {
    const ipHeader = this.ipVersion === 4 ? 20 : 40;
    const tcpHeader = 20 + options.length; // options here are always a multiple of 4
    const tcpLength = tcpHeader + payload.length;
    const frame = new Uint8Array(14 + ipHeader + tcpLength);
    const view = new DataView(frame.buffer);
    frame.set(to.mac, 0);
    frame.set(from.mac, 6);
    view.setUint16(12, this.ipVersion === 4 ? 0x0800 : 0x86dd);
    const ip = 14;
    if (this.ipVersion === 4) {
      frame[ip] = 0x45;
      view.setUint16(ip + 2, ipHeader + tcpLength);
      view.setUint16(ip + 4, from.ipId);
      from.ipId = (from.ipId + 1) & 0xffff;
      view.setUint16(ip + 6, 0x4000); // don't fragment
      frame[ip + 8] = 64;
      frame[ip + 9] = 6;
      frame.set(from.ip, ip + 12);
      frame.set(to.ip, ip + 16);
      view.setUint16(ip + 10, internetChecksum(frame, ip, ip + 20));
    } else {
      view.setUint32(ip, 0x60000000);
      view.setUint16(ip + 4, tcpLength);
      frame[ip + 6] = 6;
      frame[ip + 7] = 64;
      frame.set(from.ip, ip + 8);
      frame.set(to.ip, ip + 24);
    }
    const tcp = ip + ipHeader;
    view.setUint16(tcp, from.port);
    view.setUint16(tcp + 2, to.port);
    view.setUint32(tcp + 4, seq >>> 0);
    view.setUint32(tcp + 8, ack >>> 0);
    frame[tcp + 12] = (tcpHeader / 4) << 4;
    frame[tcp + 13] = flags;
    view.setUint16(tcp + 14, WINDOW);
    frame.set(options, tcp + 20);
    frame.set(payload, tcp + tcpHeader);
    view.setUint16(tcp + 16, transportChecksum(from.ip, to.ip, 6, frame, tcp, frame.length));
    return { linkType: LinkType.ETHERNET, timestamp, data: frame };
  }
}

const EMPTY = new Uint8Array(0);

function defaultIsn(a: number, b: number): number {
  // A fixed mix of the ports: different per connection, identical across runs.
  let x = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 0;
  x ^= x >>> 15;
  return Math.imul(x, 0x2c1b3c6d) >>> 0;
}

/** All packets of a conversation at once. */
export function synthesizeTcp(connection: SynthConnection, events: Iterable<SynthEvent>): SynthesizedPacket[] {
  const synth = new TcpSynthesizer(connection);
  const out: SynthesizedPacket[] = [];
  for (const e of events) for (const p of synth.apply(e)) out.push(p);
  return out;
}

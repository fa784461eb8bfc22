/**
 * Reassembly events as bytes, to carry them from a worker thread in one transferable buffer per batch instead of
 * as structured-cloned objects. Decoding gives back events equal to those written; a data event's bytes are a view
 * of the batch buffer (no copy).
 *
 * Each event: a type byte, then its fields little-endian. Numbers that may exceed 32 bits (offsets, lengths,
 * packet numbers) are float64; timestamps int64, or, outside that range, their decimal text; addresses length-
 * prefixed text.
 */
import type { Direction, GapReason, ReassemblyEvent, TcpConnection } from './tcp-reassembly';

const OPEN = 1;
const DATA = 2;
const GAP = 3;
const OVERLAP = 4;
const FIN = 5;
const CLOSE = 6;

const STARTS: readonly TcpConnection['start'][] = ['syn', 'syn-ack', 'midstream'];
const GAP_REASONS: readonly GapReason[] = ['acked-unseen', 'timeout', 'buffer-full', 'rst', 'end'];
const NO_PACKET = -1;

export class ReassemblyEventWriter {
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly initialSize = 64 * 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.at;
  }

  write(e: ReassemblyEvent): void {
    switch (e.type) {
      case 'open': {
        const c = e.connection;
        this.room(64 + c.client.ip.length * 3 + c.server.ip.length * 3);
        this.u8(OPEN); this.u32(c.id); this.u8(c.ipVersion); this.u8(STARTS.indexOf(c.start));
        this.text(c.client.ip); this.u16(c.client.port); this.text(c.server.ip); this.u16(c.server.port);
        this.time(e.timestamp);
        break;
      }
      case 'data':
        this.room(64 + e.bytes.length);
        this.u8(DATA); this.u32(e.connectionId); this.dir(e.direction); this.f64(e.offset); this.time(e.timestamp);
        this.f64(e.packet ?? NO_PACKET); this.u32(e.bytes.length);
        this.buf.set(e.bytes, this.at);
        this.at += e.bytes.length;
        break;
      case 'gap':
        this.room(64);
        this.u8(GAP); this.u32(e.connectionId); this.dir(e.direction); this.f64(e.offset); this.f64(e.length);
        this.time(e.timestamp); this.u8(GAP_REASONS.indexOf(e.reason));
        break;
      case 'overlap':
        this.room(64);
        this.u8(OVERLAP); this.u32(e.connectionId); this.dir(e.direction); this.f64(e.offset); this.f64(e.length);
        this.time(e.timestamp); this.f64(e.packet ?? NO_PACKET);
        break;
      case 'fin':
        this.room(64);
        this.u8(FIN); this.u32(e.connectionId); this.dir(e.direction); this.f64(e.offset); this.time(e.timestamp);
        break;
      case 'close':
        this.room(64);
        this.u8(CLOSE); this.u32(e.connectionId); this.u8(e.reason === 'fin' ? 0 : 1); this.dir(e.by); this.time(e.timestamp);
        break;
    }
  }

  /** The events written so far, in a buffer of their own (to transfer); the writer starts a new one. */
  take(): { buffer: ArrayBuffer; length: number } {
    const out = { buffer: this.buf.buffer as ArrayBuffer, length: this.at };
    this.buf = new Uint8Array(this.initialSize);
    this.view = new DataView(this.buf.buffer);
    this.at = 0;
    return out;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  private u8(v: number): void { this.buf[this.at++] = v; }
  private u16(v: number): void { this.view.setUint16(this.at, v, true); this.at += 2; }
  private u32(v: number): void { this.view.setUint32(this.at, v, true); this.at += 4; }
  private f64(v: number): void { this.view.setFloat64(this.at, v, true); this.at += 8; }
  private dir(d: Direction): void { this.u8(d === 'c2s' ? 0 : 1); }

  private time(t: bigint): void {
    if (BigInt.asIntN(64, t) === t) {
      this.u8(0);
      this.view.setBigInt64(this.at, t, true);
      this.at += 8;
    } else {
      this.u8(1);
      this.text(t.toString());
    }
  }

  private text(s: string): void {
    this.room(4 + s.length * 3);
    const { written } = this.encoder.encodeInto(s, this.buf.subarray(this.at + 2));
    this.u16(written);
    this.at += written;
  }
}

/** Calls `each` with every event of a buffer written by ReassemblyEventWriter, in order. */
export function readReassemblyEvents(buffer: ArrayBuffer, length: number, each: (e: ReassemblyEvent) => void): void {
  const bytes = new Uint8Array(buffer, 0, length);
  const view = new DataView(buffer, 0, length);
  const decoder = new TextDecoder();
  let at = 0;
  const u8 = (): number => bytes[at++];
  const u16 = (): number => { const v = view.getUint16(at, true); at += 2; return v; };
  const u32 = (): number => { const v = view.getUint32(at, true); at += 4; return v; };
  const f64 = (): number => { const v = view.getFloat64(at, true); at += 8; return v; };
  const dir = (): Direction => (bytes[at++] === 0 ? 'c2s' : 's2c');
  const text = (): string => { const n = u16(); const s = decoder.decode(bytes.subarray(at, at + n)); at += n; return s; };
  const time = (): bigint => {
    if (u8() === 1) return BigInt(text());
    const v = view.getBigInt64(at, true);
    at += 8;
    return v;
  };
  const packet = (): number | undefined => { const p = f64(); return p === NO_PACKET ? undefined : p; };
  while (at < length) {
    const type = u8();
    switch (type) {
      case OPEN: {
        const id = u32();
        const ipVersion = u8() as 4 | 6;
        const start = STARTS[u8()];
        const client = { ip: text(), port: u16() };
        const server = { ip: text(), port: u16() };
        each({ type: 'open', connection: { id, ipVersion, client, server, start }, timestamp: time() });
        break;
      }
      case DATA: {
        const connectionId = u32();
        const direction = dir();
        const offset = f64();
        const timestamp = time();
        const p = packet();
        const n = u32();
        const data = bytes.subarray(at, at + n);
        at += n;
        each({ type: 'data', connectionId, direction, offset, bytes: data, timestamp, packet: p });
        break;
      }
      case GAP: {
        const connectionId = u32();
        const direction = dir();
        const offset = f64();
        const gapLength = f64();
        const timestamp = time();
        each({ type: 'gap', connectionId, direction, offset, length: gapLength, timestamp, reason: GAP_REASONS[u8()] });
        break;
      }
      case OVERLAP: {
        const connectionId = u32();
        const direction = dir();
        const offset = f64();
        const overlapLength = f64();
        const timestamp = time();
        each({ type: 'overlap', connectionId, direction, offset, length: overlapLength, timestamp, packet: packet() });
        break;
      }
      case FIN: {
        const connectionId = u32();
        const direction = dir();
        const offset = f64();
        each({ type: 'fin', connectionId, direction, offset, timestamp: time() });
        break;
      }
      case CLOSE: {
        const connectionId = u32();
        const reason = u8() === 0 ? 'fin' : 'rst';
        const by = dir();
        each({ type: 'close', connectionId, reason, by, timestamp: time() });
        break;
      }
      default:
        throw new Error(`reassembly event buffer: unknown event type ${type} at byte ${at - 1}`);
    }
  }
}

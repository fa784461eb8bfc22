// Builds capture files byte by byte, independently of the code under test, for the layouts no tool here writes:
// big-endian pcap and pcapng, 2^-n timestamp resolutions, Simple and obsolete Packet Blocks, unknown blocks.

export interface PcapRecord {
  seconds: number;
  fraction: number; // µs or ns, per the file
  data: Uint8Array;
  originalLength?: number;
}

export function buildPcap(records: PcapRecord[], o: { bigEndian?: boolean; nanos?: boolean; linkType?: number } = {}): Uint8Array {
  const le = !o.bigEndian;
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 262144, le);
  v.setUint32(20, o.linkType ?? 1, le);
  let at = 24;
  for (const r of records) {
    v.setUint32(at, r.seconds, le);
    v.setUint32(at + 4, r.fraction, le);
    v.setUint32(at + 8, r.data.length, le);
    v.setUint32(at + 12, r.originalLength ?? r.data.length, le);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}

const pad4 = (n: number) => (n + 3) & ~3;

/** A pcapng writer with a chosen byte order, block by block. */
export class PcapngBuilder {
  private parts: Uint8Array[] = [];
  constructor(private readonly le = true) {}

  private options(opts: [number, Uint8Array][]): Uint8Array {
    if (opts.length === 0) return new Uint8Array(0);
    const out = new Uint8Array(opts.reduce((n, [, val]) => n + 4 + pad4(val.length), 0) + 4);
    const v = new DataView(out.buffer);
    let at = 0;
    for (const [code, val] of opts) {
      v.setUint16(at, code, this.le);
      v.setUint16(at + 2, val.length, this.le);
      out.set(val, at + 4);
      at += 4 + pad4(val.length);
    }
    return out;
  }

  block(type: number, body: Uint8Array, opts: [number, Uint8Array][] = []): this {
    const o = this.options(opts);
    const length = 12 + pad4(body.length) + o.length;
    const out = new Uint8Array(length);
    const v = new DataView(out.buffer);
    v.setUint32(0, type, this.le);
    v.setUint32(4, length, this.le);
    out.set(body, 8);
    out.set(o, 8 + pad4(body.length));
    v.setUint32(length - 4, length, this.le);
    this.parts.push(out);
    return this;
  }

  private body(size: number, fill: (v: DataView, b: Uint8Array) => void): Uint8Array {
    const b = new Uint8Array(size);
    fill(new DataView(b.buffer), b);
    return b;
  }

  shb(opts: [number, Uint8Array][] = []): this {
    return this.block(0x0a0d0d0a, this.body(16, (v) => {
      v.setUint32(0, 0x1a2b3c4d, this.le);
      v.setUint16(4, 1, this.le);
      v.setUint16(6, 0, this.le);
      v.setBigInt64(8, -1n, this.le);
    }), opts);
  }

  idb(linkType: number, opts: [number, Uint8Array][] = [], snapLength = 0): this {
    return this.block(1, this.body(8, (v) => {
      v.setUint16(0, linkType, this.le);
      v.setUint32(4, snapLength, this.le);
    }), opts);
  }

  epb(iface: number, units: bigint, data: Uint8Array, opts: [number, Uint8Array][] = [], originalLength = data.length): this {
    return this.block(6, this.body(20 + data.length, (v, b) => {
      v.setUint32(0, iface, this.le);
      v.setUint32(4, Number(units >> 32n), this.le);
      v.setUint32(8, Number(units & 0xffffffffn), this.le);
      v.setUint32(12, data.length, this.le);
      v.setUint32(16, originalLength, this.le);
      b.set(data, 20);
    }), opts);
  }

  /** Obsolete Packet Block (type 2). */
  pb(iface: number, units: bigint, data: Uint8Array, opts: [number, Uint8Array][] = []): this {
    return this.block(2, this.body(20 + data.length, (v, b) => {
      v.setUint16(0, iface, this.le);
      v.setUint32(4, Number(units >> 32n), this.le);
      v.setUint32(8, Number(units & 0xffffffffn), this.le);
      v.setUint32(12, data.length, this.le);
      v.setUint32(16, data.length, this.le);
      b.set(data, 20);
    }), opts);
  }

  spb(data: Uint8Array, originalLength = data.length): this {
    return this.block(3, this.body(4 + data.length, (v, b) => {
      v.setUint32(0, originalLength, this.le);
      b.set(data, 4);
    }));
  }

  bytes(): Uint8Array {
    const total = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

export const text = (s: string) => new TextEncoder().encode(s);
export const u8 = (n: number) => Uint8Array.of(n);
export function i64(n: bigint, le = true): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n, le);
  return b;
}

/** tshark's frame.time_epoch text for a ns timestamp: seconds, a dot, nine digits. */
export function epochText(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const f = ns % 1_000_000_000n;
  return `${s}.${f.toString().padStart(9, '0')}`;
}

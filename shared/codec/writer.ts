/** A growable byte sink with back-patching, used by every encoder. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v & 0xff; }
  u16(v: number, le = false): void { this.ensure(2); this.view.setUint16(this.pos, v & 0xffff, le); this.pos += 2; }
  u32(v: number, le = false): void { this.ensure(4); this.view.setUint32(this.pos, v >>> 0, le); this.pos += 4; }
  u64(v: bigint, le = false): void { this.ensure(8); this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), le); this.pos += 8; }

  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }

  /** Overwrites an integer written earlier (a length known only after what follows it was written). */
  patch(at: number, size: 1 | 2 | 4 | 8, v: number | bigint, le = false): void {
    if (size === 1) this.buf[at] = Number(v) & 0xff;
    else if (size === 2) this.view.setUint16(at, Number(v) & 0xffff, le);
    else if (size === 4) this.view.setUint32(at, Number(v) >>> 0, le);
    else this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), le);
  }

  finish(): Uint8Array { return this.buf.slice(0, this.pos); }
}

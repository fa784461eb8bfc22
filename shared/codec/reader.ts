/**
 * A bounds-checked cursor over one PDU. Reading past `end` throws `Truncated`, which the decode driver turns into
 * an error note on a partial tree: decoders never throw to their callers.
 */
export class Truncated extends Error {
  constructor(readonly at: number, readonly wanted: number, readonly available: number) {
    super(`truncated: needs ${wanted} byte${wanted === 1 ? '' : 's'} at offset ${at}, ${available} left`);
  }
}

export class Reader {
  readonly view: DataView;
  pos: number;

  constructor(readonly bytes: Uint8Array, start = 0, public end = bytes.length) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): number {
    if (n < 0 || this.pos + n > this.end) throw new Truncated(this.pos, n, this.end - this.pos);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number { return this.bytes[this.need(1)]; }
  i8(): number { return this.view.getInt8(this.need(1)); }
  u16(le = false): number { return this.view.getUint16(this.need(2), le); }
  i16(le = false): number { return this.view.getInt16(this.need(2), le); }
  u32(le = false): number { return this.view.getUint32(this.need(4), le); }
  i32(le = false): number { return this.view.getInt32(this.need(4), le); }
  u64(le = false): bigint { return this.view.getBigUint64(this.need(8), le); }
  i64(le = false): bigint { return this.view.getBigInt64(this.need(8), le); }

  bytesView(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  skip(n: number): void { this.need(n); }
}

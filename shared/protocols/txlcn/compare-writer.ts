/**
 * A Writer that checks what is written against bytes already present instead of keeping it. Decode asks, for every
 * PDU, whether the encoder would write the captured stream byte for byte; comparing as the encoder writes avoids
 * allocating, filling and copying a buffer only to compare it.
 */
import { Writer } from '../../codec/writer';

export class CompareWriter extends Writer {
  private same = true;

  constructor(private readonly expected: Uint8Array, private readonly from: number, private readonly to: number) {
    super(0);
  }

  /** Whether everything written so far equals expected[from..to) exactly (length included). */
  matches(): boolean {
    return this.same && this.pos === this.to - this.from;
  }

  override u8(v: number): void {
    this.check(v & 0xff);
  }

  override u16(v: number, le = false): void {
    const x = v & 0xffff;
    if (le) { this.check(x & 0xff); this.check(x >>> 8); } else { this.check(x >>> 8); this.check(x & 0xff); }
  }

  override u32(v: number, le = false): void {
    const x = v >>> 0;
    if (le) for (let i = 0; i < 4; i++) this.check((x >>> (8 * i)) & 0xff);
    else for (let i = 3; i >= 0; i--) this.check((x >>> (8 * i)) & 0xff);
  }

  override u64(v: bigint, le = false): void {
    const x = BigInt.asUintN(64, v);
    const hi = Number(x >> 32n);
    const lo = Number(x & 0xffffffffn);
    if (le) { this.u32(lo, true); this.u32(hi, true); } else { this.u32(hi); this.u32(lo); }
  }

  override bytes(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) this.check(b[i]);
  }

  override patch(): void {
    throw new Error('CompareWriter cannot patch: nothing written is kept');
  }

  override finish(): Uint8Array {
    throw new Error('CompareWriter keeps no bytes: ask matches()');
  }

  private check(byte: number): void {
    const at = this.from + this.pos++;
    if (at >= this.to || this.expected[at] !== byte) this.same = false;
  }
}

/**
 * Append-only storage of PDU bytes, so a frame's bytes can be read back by (offset, length) without keeping them in
 * memory. Writes are buffered and flushed at least every `flushMs` (a crash loses at most that much); with no
 * path the store stays in memory (tests, small sessions).
 */
import { closeSync, openSync, readSync, writeSync, unlinkSync } from 'node:fs';

export class PduStore {
  private fd: number | undefined;
  private buffer: Buffer;
  private buffered = 0;
  /** Bytes already written to the file. */
  private flushed = 0;
  private timer: NodeJS.Timeout | undefined;
  private memory: Buffer[] | undefined;

  constructor(private readonly path?: string, private readonly bufferSize = 1 << 20, private readonly flushMs = 500) {
    this.buffer = Buffer.allocUnsafe(bufferSize);
    if (path) this.fd = openSync(path, 'w+');
    else this.memory = [];
  }

  get size(): number {
    return this.flushed + this.buffered;
  }

  /** Appends bytes and returns their offset. */
  append(bytes: Uint8Array): number {
    const at = this.size;
    if (this.memory) {
      this.memory.push(Buffer.from(bytes));
      this.flushed += bytes.length;
      return at;
    }
    if (bytes.length > this.bufferSize) {
      this.flush();
      writeSync(this.fd!, bytes, 0, bytes.length, this.flushed);
      this.flushed += bytes.length;
      return at;
    }
    if (this.buffered + bytes.length > this.bufferSize) this.flush();
    this.buffer.set(bytes, this.buffered);
    this.buffered += bytes.length;
    this.timer ??= setTimeout(() => this.flush(), this.flushMs).unref();
    return at;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.memory) return this.readMemory(offset, length);
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    if (offset < this.flushed) {
      const fromFile = Math.min(length, this.flushed - offset);
      while (done < fromFile) done += readSync(this.fd!, out, done, fromFile - done, offset + done);
    }
    if (done < length) {
      const at = offset + done - this.flushed;
      this.buffer.copy(out, done, at, at + length - done);
    }
    return new Uint8Array(out.buffer, out.byteOffset, length);
  }

  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.fd === undefined || this.buffered === 0) return;
    let done = 0;
    while (done < this.buffered) done += writeSync(this.fd, this.buffer, done, this.buffered - done, this.flushed + done);
    this.flushed += this.buffered;
    this.buffered = 0;
  }

  close(remove = false): void {
    this.flush();
    if (this.fd !== undefined) { closeSync(this.fd); this.fd = undefined; }
    if (remove && this.path) { try { unlinkSync(this.path); } catch { /* already gone */ } }
  }

  private memoryIndex: number[] = [];

  private readMemory(offset: number, length: number): Uint8Array {
    // Offsets of the in-memory pieces, built lazily: binary search for the first piece.
    while (this.memoryIndex.length < this.memory!.length) {
      const i = this.memoryIndex.length;
      this.memoryIndex.push(i === 0 ? 0 : this.memoryIndex[i - 1] + this.memory![i - 1].length);
    }
    let lo = 0;
    let hi = this.memory!.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.memoryIndex[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    const piece = this.memory![lo];
    const start = offset - this.memoryIndex[lo];
    if (start + length <= piece.length) return new Uint8Array(piece.buffer, piece.byteOffset + start, length);
    const out = new Uint8Array(length);
    let done = 0;
    for (let i = lo, at = start; done < length; i++, at = 0) {
      const p = this.memory![i];
      const n = Math.min(p.length - at, length - done);
      out.set(p.subarray(at, at + n), done);
      done += n;
    }
    return out;
  }
}

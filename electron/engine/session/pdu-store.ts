/**
 * Append-only storage of PDU bytes, so a frame's bytes can be read back by (offset, length) without keeping them in
 * memory.
 *
 * On disk: appends are copied into a 1 MiB buffer; a full buffer is handed to an asynchronous positional write
 * (libuv's thread pool) and the next buffer takes over, so the proxy's event loop never waits for the disk. Reads
 * look in the current buffer, then in the buffers still being written, then in the file. At most `maxInFlight`
 * bytes wait for the disk: beyond that a buffer is written synchronously (the disk sets the pace, memory stays
 * bounded). Whatever is buffered is written at least every `flushMs` (a crash loses at most that much); `flush()`
 * writes everything synchronously; `close()` closes the file once the last asynchronous write has returned.
 *
 * In memory (no path: tests, `framescope read`): bytes are copied into 1 MiB slabs (one allocation per slab, not
 * per PDU); a PDU larger than a slab gets its own.
 */
import { closeSync, openSync, readSync, unlinkSync, write, writeSync } from 'node:fs';

interface Pending {
  /** File offset of buf[0]. */
  at: number;
  buf: Buffer;
  length: number;
}

const SLAB = 1 << 20;

export class PduStore {
  private fd: number | undefined;
  private buffer: Buffer;
  private buffered = 0;
  /** File offset of buffer[0]: every byte before it is written or being written. */
  private bufferAt = 0;
  /** Buffers handed to asynchronous writes that have not returned yet. */
  private inFlight: Pending[] = [];
  private inFlightBytes = 0;
  /** Buffers whose write returned, ready to be reused. */
  private spare: Buffer[] = [];
  private closing: { remove: boolean } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writeError: Error | undefined;
  /** In-memory store: slabs and the store offset of each slab's first byte. */
  private slabs: Uint8Array[] | undefined;
  private slabAt: number[] = [];
  private slabUsed = 0;
  private memorySize = 0;

  constructor(
    private readonly path?: string,
    private readonly bufferSize = 1 << 20,
    private readonly flushMs = 500,
    private readonly maxInFlight = 8 << 20,
  ) {
    if (path) {
      this.fd = openSync(path, 'w+');
      this.buffer = Buffer.allocUnsafe(bufferSize);
    } else {
      this.buffer = Buffer.alloc(0);
      this.slabs = [];
    }
  }

  get size(): number {
    return this.slabs ? this.memorySize : this.bufferAt + this.buffered;
  }

  /** Appends bytes (copied: the caller may reuse its buffer) and returns their offset. */
  append(bytes: Uint8Array): number {
    if (this.slabs) return this.appendMemory(bytes);
    if (this.writeError) throw this.writeError;
    const at = this.size;
    if (bytes.length > this.bufferSize) {
      this.flush();
      writeFully(this.fd!, bytes, 0, bytes.length, this.bufferAt);
      this.bufferAt += bytes.length;
      return at;
    }
    if (this.buffered + bytes.length > this.bufferSize) this.handOff();
    this.buffer.set(bytes, this.buffered);
    this.buffered += bytes.length;
    this.timer ??= setTimeout(() => { this.timer = undefined; this.handOff(); }, this.flushMs).unref();
    return at;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.slabs) return this.readMemory(offset, length);
    // Entirely in the current buffer (the frames just recorded): a copy, since the buffer will be reused.
    if (offset >= this.bufferAt) return Uint8Array.prototype.slice.call(this.buffer, offset - this.bufferAt, offset - this.bufferAt + length);
    const out = Buffer.allocUnsafe(length);
    this.copyOut(out, offset, length);
    return new Uint8Array(out.buffer, out.byteOffset, length);
  }

  /** Writes everything recorded to the file, synchronously (call before reading the file elsewhere). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.fd === undefined) return;
    // Buffers still in flight are written again, synchronously: the same bytes at the same place, so whichever
    // write lands last, the file is right and complete when this returns.
    for (const p of this.inFlight) writeFully(this.fd, p.buf, 0, p.length, p.at);
    if (this.buffered > 0) {
      writeFully(this.fd, this.buffer, 0, this.buffered, this.bufferAt);
      this.bufferAt += this.buffered;
      this.buffered = 0;
    }
  }

  close(remove = false): void {
    if (this.closing) return;
    this.flush();
    this.closing = { remove };
    if (remove && this.path) { try { unlinkSync(this.path); } catch { /* already gone */ } }
    // An asynchronous write still holds the descriptor: it is closed when the last one returns.
    if (this.inFlight.length === 0) this.closeFile();
  }

  // -------------------------------------------------------------------------------------------------------------

  /** The current buffer goes to an asynchronous write (or a synchronous one when too much is in flight already). */
  private handOff(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.fd === undefined || this.buffered === 0 || this.closing) return;
    const pending: Pending = { at: this.bufferAt, buf: this.buffer, length: this.buffered };
    this.bufferAt += this.buffered;
    this.buffered = 0;
    if (this.inFlightBytes + pending.length > this.maxInFlight) {
      writeFully(this.fd, pending.buf, 0, pending.length, pending.at);
      return;
    }
    this.inFlight.push(pending);
    this.inFlightBytes += pending.length;
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(this.bufferSize);
    this.writeAsync(pending, 0);
  }

  private writeAsync(p: Pending, done: number): void {
    write(this.fd!, p.buf, done, p.length - done, p.at + done, (err, n) => {
      if (!err && done + n < p.length && n > 0) { this.writeAsync(p, done + n); return; }
      if (err && !this.closing) this.writeError ??= err;
      this.inFlight.splice(this.inFlight.indexOf(p), 1);
      this.inFlightBytes -= p.length;
      if (this.spare.length < 2) this.spare.push(p.buf);
      if (this.closing && this.inFlight.length === 0) this.closeFile();
    });
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  /** Copies store bytes [offset, offset+length) into out, from wherever each part lives. */
  private copyOut(out: Buffer, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const want = length - done;
      if (at >= this.bufferAt) {
        this.buffer.copy(out, done, at - this.bufferAt, at - this.bufferAt + want);
        return;
      }
      const p = this.inFlight.find((q) => at >= q.at && at < q.at + q.length);
      if (p) {
        const n = Math.min(want, p.at + p.length - at);
        p.buf.copy(out, done, at - p.at, at - p.at + n);
        done += n;
        continue;
      }
      // On disk, up to the next place that is still in memory.
      let limit = this.bufferAt;
      for (const q of this.inFlight) if (q.at > at && q.at < limit) limit = q.at;
      const n = Math.min(want, limit - at);
      let got = 0;
      while (got < n) {
        const r = readSync(this.fd!, out, done + got, n - got, at + got);
        if (r === 0) throw new Error(`PDU store: ${n - got} bytes missing at offset ${at + got}`);
        got += r;
      }
      done += n;
    }
  }

  private appendMemory(bytes: Uint8Array): number {
    const at = this.memorySize;
    const n = bytes.length;
    const slabs = this.slabs!;
    if (n > SLAB / 4) {
      // Large: its own copy, between slabs (the current slab stays open for small ones).
      slabs.push(Uint8Array.prototype.slice.call(bytes));
      this.slabAt.push(at);
      this.memorySize += n;
      // Reopen a fresh slab after it: slabs are looked up by start offset, in order.
      this.slabUsed = SLAB;
      return at;
    }
    if (slabs.length === 0 || this.slabUsed + n > slabs[slabs.length - 1].length || this.slabUsed >= SLAB) {
      slabs.push(new Uint8Array(SLAB));
      this.slabAt.push(at);
      this.slabUsed = 0;
    }
    slabs[slabs.length - 1].set(bytes, this.slabUsed);
    this.slabUsed += n;
    this.memorySize += n;
    return at;
  }

  private readMemory(offset: number, length: number): Uint8Array {
    const slabs = this.slabs!;
    const starts = this.slabAt;
    let lo = 0;
    let hi = slabs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    // PDUs never straddle slabs (each append goes whole into one), but a read may ask for more than one PDU.
    const start = offset - starts[lo];
    const usedEnd = lo + 1 < slabs.length ? starts[lo + 1] - starts[lo] : this.memorySize - starts[lo];
    if (start + length <= usedEnd) return slabs[lo].subarray(start, start + length);
    const out = new Uint8Array(length);
    let done = 0;
    for (let i = lo, s = start; done < length && i < slabs.length; i++, s = 0) {
      const end = i + 1 < slabs.length ? starts[i + 1] - starts[i] : this.memorySize - starts[i];
      const n = Math.min(end - s, length - done);
      out.set(slabs[i].subarray(s, s + n), done);
      done += n;
    }
    return out;
  }
}

function writeFully(fd: number, buf: Uint8Array, from: number, length: number, position: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, buf, from + done, length - done, position + done);
}

/**
 * Append-only storage of PDU bytes, so a frame's bytes can be read back by (offset, length) without keeping them in
 * memory.
 *
 * On disk: appends collect into a batch of about `bufferSize` bytes; a full batch is handed to an asynchronous
 * positional writev (libuv's thread pool, one write at a time) and the next batch takes over, so the proxy's event
 * loop never waits for the disk. Small PDUs are copied into a staging buffer (one region of it per run of them in
 * the batch); a large PDU whose caller promises never to change it (`immutable`: a socket read, a PDU the deframer
 * gathered) goes into the batch as it is, held until written, so its bytes are copied only by the kernel. Reads
 * look in the current batch, then in the batches still waiting for the disk, then in the file (64 KiB at a time,
 * so a scan in store order costs one read per 64 KiB, not one per frame). When `maxInFlight` bytes wait for the
 * disk the store is `behind`: a producer that can wait (a proxy pauses its sockets) asks `whenCaughtUp`, called
 * once half of that is written, and the event loop stays free to relay and to answer the UI meanwhile. Batches
 * past twice `maxInFlight` (producers that cannot wait: a live capture) are written synchronously, so memory stays
 * bounded either way and the disk sets the pace.
 * Whatever is batched is written at least every `flushMs` (a crash loses at most that much); `flush()` writes
 * everything synchronously; `close()` closes the file once the last asynchronous write has returned.
 *
 * In memory (no path: tests, `framescope read`): bytes are copied into 1 MiB slabs (one allocation per slab, not
 * per PDU); a PDU larger than a slab gets its own.
 */
import { closeSync, openSync, readSync, unlinkSync, writev, writevSync } from 'node:fs';

interface Batch {
  /** File offset of the batch's first byte. */
  at: number;
  /** The bytes in order: regions of a staging buffer and kept PDUs. */
  pieces: Uint8Array[];
  length: number;
  /** The staging buffer some pieces are regions of: reusable once the batch is written. */
  staging: Buffer | undefined;
}

const SLAB = 1 << 20;
/** Bytes read from the file at a time for reads of PDUs up to this size (copyFromDisk). */
const READ_AHEAD = 64 << 10;
/** Kept PDUs at least this large go into a batch as they are; smaller ones are cheaper to copy than to list. */
const KEEP_MIN = 8 << 10;

export class PduStore {
  private fd: number | undefined;
  /** Small PDUs of the current batch are copied here; [regionFrom, staged) is the region not yet in `pieces`. */
  private staging: Buffer;
  private staged = 0;
  private regionFrom = 0;
  /** The current batch: file offset of its first byte, its pieces so far, its size (with the open region). */
  private batchAt = 0;
  private pieces: Uint8Array[] = [];
  private batchBytes = 0;
  /** Batches handed off and not written yet, in order; the first is being written when `writing`. */
  private inFlight: Batch[] = [];
  private inFlightBytes = 0;
  private writing = false;
  /** Staging buffers whose write returned, ready to be reused (at most twice maxInFlight bytes of them). */
  private spare: Buffer[] = [];
  private closing: { remove: boolean } | undefined;
  /** Called once the writes catch up (whenCaughtUp). */
  private caughtUp: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writeError: Error | undefined;
  /** File bytes [windowAt, windowAt + windowLength) as last read ahead (copyFromDisk). */
  private window: Buffer | undefined;
  private windowAt = 0;
  private windowLength = 0;
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
      this.staging = Buffer.allocUnsafe(bufferSize);
    } else {
      this.staging = Buffer.alloc(0);
      this.slabs = [];
    }
  }

  get size(): number {
    return this.slabs ? this.memorySize : this.batchAt + this.batchBytes;
  }

  /**
   * Appends bytes and returns their offset. Copied unless `immutable`: the caller promises never to write to them
   * again, so a large PDU can be written from where it is (held only until its write returns).
   */
  append(bytes: Uint8Array, immutable = false): number {
    if (this.slabs) return this.appendMemory(bytes);
    if (this.writeError) throw this.writeError;
    const at = this.size;
    const n = bytes.length;
    if (n > this.bufferSize || (immutable && n >= KEEP_MIN)) {
      // A piece of its own: kept as it is when immutable, else a copy (larger than any staging buffer).
      this.closeRegion();
      this.pieces.push(immutable ? bytes : Uint8Array.prototype.slice.call(bytes));
    } else {
      if (this.staged + n > this.staging.length) this.handOff();
      this.staging.set(bytes, this.staged);
      this.staged += n;
    }
    this.batchBytes += n;
    if (this.batchBytes >= this.bufferSize) this.handOff();
    else this.timer ??= setTimeout(() => { this.timer = undefined; this.handOff(); }, this.flushMs).unref();
    return at;
  }

  /** `maxInFlight` bytes or more wait for the disk: a producer that can wait should (whenCaughtUp). */
  get behind(): boolean {
    return this.inFlightBytes >= this.maxInFlight;
  }

  /** Calls `fn` once, when no more than half of `maxInFlight` waits for the disk (at once if so already). */
  whenCaughtUp(fn: () => void): void {
    if (this.isCaughtUp) fn();
    else this.caughtUp.push(fn);
  }

  private get isCaughtUp(): boolean {
    return this.inFlightBytes <= this.maxInFlight / 2;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.slabs) return this.readMemory(offset, length);
    // A copy, wherever the bytes are: staging buffers are reused, kept PDUs belong to their callers.
    const out = Buffer.allocUnsafe(length);
    this.copyOut(out, offset, length);
    return new Uint8Array(out.buffer, out.byteOffset, length);
  }

  /** Writes everything recorded to the file, synchronously (call before reading the file elsewhere). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.fd === undefined) return;
    // Batches in flight are written now, synchronously. The one being written is written again: the same bytes at
    // the same place, so whichever write lands last, the file is right and complete when this returns.
    for (const b of this.inFlight) writeFully(this.fd, b.pieces, b.at);
    for (const b of this.inFlight.splice(this.writing ? 1 : 0)) {
      this.inFlightBytes -= b.length;
      if (b.staging) this.reuse(b.staging);
    }
    const batch = this.takeBatch();
    if (batch) {
      writeFully(this.fd, batch.pieces, batch.at);
      if (batch.staging) this.reuse(batch.staging);
    }
    this.callCaughtUp();
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

  /** Ends the staging region of the current batch: what is staged so far becomes one piece. */
  private closeRegion(): void {
    if (this.staged === this.regionFrom) return;
    this.pieces.push(this.staging.subarray(this.regionFrom, this.staged));
    this.regionFrom = this.staged;
  }

  /** The current batch, closed; the next one starts after it (with a fresh staging buffer if this one is used). */
  private takeBatch(): Batch | undefined {
    this.closeRegion();
    if (this.batchBytes === 0) return undefined;
    const batch: Batch = { at: this.batchAt, pieces: this.pieces, length: this.batchBytes, staging: this.staged > 0 ? this.staging : undefined };
    this.batchAt += this.batchBytes;
    this.batchBytes = 0;
    this.pieces = [];
    if (batch.staging) this.staging = this.spare.pop() ?? Buffer.allocUnsafe(this.bufferSize);
    this.staged = this.regionFrom = 0;
    return batch;
  }

  /**
   * Keeps enough staging buffers to cover what may be in flight: a fresh 1 MiB buffer is fresh memory to fault in
   * page by page, while a spare one is already mapped.
   */
  private reuse(staging: Buffer): void {
    if (this.spare.length * this.bufferSize < 2 * this.maxInFlight) this.spare.push(staging);
  }

  /**
   * The current batch goes to the asynchronous writes, or is written synchronously when far too much is in flight
   * already (the slack past `behind` gives producers time to pause; one that never does gets the disk's pace).
   * One write at a time: on a small machine, several pool threads copying into the page cache at once took the CPU
   * from the event loop, and the disk gains nothing from it.
   */
  private handOff(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.fd === undefined || this.closing) return;
    const batch = this.takeBatch();
    if (!batch) return;
    if (this.inFlightBytes + batch.length > 2 * this.maxInFlight) {
      writeFully(this.fd, batch.pieces, batch.at);
      if (batch.staging) this.reuse(batch.staging);
      return;
    }
    this.inFlight.push(batch);
    this.inFlightBytes += batch.length;
    if (!this.writing) this.writeNext();
  }

  private writeNext(): void {
    const batch = this.inFlight[0];
    this.writing = true;
    this.writeAsync(batch, batch.pieces, 0);
  }

  private writeAsync(batch: Batch, pieces: Uint8Array[], done: number): void {
    writev(this.fd!, pieces, batch.at + done, (err, n) => {
      if (!err && done + n < batch.length && n > 0) { this.writeAsync(batch, after(pieces, n), done + n); return; }
      if (err && !this.closing) this.writeError ??= err;
      this.writing = false;
      this.inFlight.shift();
      this.inFlightBytes -= batch.length;
      if (batch.staging) this.reuse(batch.staging);
      this.callCaughtUp();
      if (this.inFlight.length > 0) this.writeNext();
      else if (this.closing) this.closeFile();
    });
  }

  /** Calls the producers waiting for the disk, once it has caught up. */
  private callCaughtUp(): void {
    if (this.caughtUp.length === 0 || !this.isCaughtUp) return;
    const waiting = this.caughtUp;
    this.caughtUp = [];
    for (const fn of waiting) fn();
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.window = undefined;
    closeSync(fd);
  }

  /** Copies store bytes [offset, offset+length) into out, from wherever each part lives. */
  private copyOut(out: Buffer, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const want = length - done;
      if (at >= this.batchAt) {
        const open = this.staged > this.regionFrom ? [this.staging.subarray(this.regionFrom, this.staged)] : [];
        done += copyFromPieces(this.pieces.concat(open), at - this.batchAt, out, done, want);
        if (done < length) throw new Error(`PDU store: ${length - done} bytes missing at offset ${offset + done}`);
        return;
      }
      const b = this.inFlight.find((q) => at >= q.at && at < q.at + q.length);
      if (b) {
        done += copyFromPieces(b.pieces, at - b.at, out, done, Math.min(want, b.at + b.length - at));
        continue;
      }
      // On disk, up to the next place that is still in memory.
      let limit = this.batchAt;
      for (const q of this.inFlight) if (q.at > at && q.at < limit) limit = q.at;
      const n = Math.min(want, limit - at);
      this.copyFromDisk(out, done, at, n, limit);
      done += n;
    }
  }

  /**
   * Copies n bytes at file offset `at` (all below `limit`, the first byte still in memory) into out. Through a
   * read-ahead window: a filter over a large session reads its frames in store order, and one read per window
   * instead of one per frame is what makes such a scan fast; the UI's rows, read near each other, hit it too.
   * The file below `limit` is never written again, so what the window holds stays true.
   */
  private copyFromDisk(out: Buffer, outAt: number, at: number, n: number, limit: number): void {
    if (n > READ_AHEAD) { readFully(this.fd!, out, outAt, n, at); return; }
    if (at < this.windowAt || at + n > this.windowAt + this.windowLength) {
      this.window ??= Buffer.allocUnsafe(READ_AHEAD);
      const length = Math.min(READ_AHEAD, limit - at);
      readFully(this.fd!, this.window, 0, length, at);
      this.windowAt = at;
      this.windowLength = length;
    }
    this.window!.copy(out, outAt, at - this.windowAt, at - this.windowAt + n);
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

/** Reads exactly n bytes at `position` into out[outAt…]; the store's own file, so a short file is a bug. */
function readFully(fd: number, out: Buffer, outAt: number, n: number, position: number): void {
  let got = 0;
  while (got < n) {
    const r = readSync(fd, out, outAt + got, n - got, position + got);
    if (r === 0) throw new Error(`PDU store: ${n - got} bytes missing at offset ${position + got}`);
    got += r;
  }
}

/** Writes all of the pieces at `position`, whatever partial writes the system makes. */
function writeFully(fd: number, pieces: Uint8Array[], position: number): void {
  let done = 0;
  while (pieces.length > 0) {
    const n = writevSync(fd, pieces, position + done);
    done += n;
    pieces = after(pieces, n);
  }
}

/** The pieces that remain after the first n bytes of them. */
function after(pieces: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < pieces.length && n >= pieces[i].length) n -= pieces[i++].length;
  const rest = pieces.slice(i);
  if (n > 0) rest[0] = rest[0].subarray(n);
  return rest;
}

/** Copies up to `want` bytes from `from` bytes into the pieces to out[outAt…]; returns how many were copied. */
function copyFromPieces(pieces: Uint8Array[], from: number, out: Uint8Array, outAt: number, want: number): number {
  let copied = 0;
  for (const p of pieces) {
    if (copied === want) break;
    if (from >= p.length) { from -= p.length; continue; }
    const n = Math.min(p.length - from, want - copied);
    out.set(p.subarray(from, from + n), outAt + copied);
    copied += n;
    from = 0;
  }
  return copied;
}

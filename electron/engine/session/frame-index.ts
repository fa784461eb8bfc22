/**
 * The compact in-memory index of every frame in a session: parallel typed arrays in fixed-size chunks (no copy
 * when growing), 32 bytes a frame. Trees are never stored; a frame's bytes live in the PDU store at `offset`.
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Bit layout of `info`: protocol (5 bits), direction (1), malformed (1), skipped (1), message (16). */
const DIR_BIT = 1 << 5;
const MALFORMED_BIT = 1 << 6;
const SKIPPED_BIT = 1 << 7;
const MESSAGE_SHIFT = 8;

export interface FrameEntry {
  /** ns since the session started. */
  time: number;
  connection: number;
  /** Byte offset of the PDU in the PDU store. */
  offset: number;
  length: number;
  protocol: number;
  message: number;
  direction: 0 | 1;
  malformed: boolean;
  skipped: boolean;
}

class Chunk {
  readonly time = new Float64Array(CHUNK);
  readonly offset = new Float64Array(CHUNK);
  readonly connection = new Uint32Array(CHUNK);
  readonly length = new Uint32Array(CHUNK);
  readonly info = new Uint32Array(CHUNK);
  readonly pair = new Int32Array(CHUNK).fill(-1);
}

export const BYTES_PER_FRAME = 8 + 8 + 4 + 4 + 4 + 4;

export class FrameIndex {
  private chunks: Chunk[] = [];
  count = 0;

  append(e: FrameEntry): number {
    return this.add(e.time, e.connection, e.offset, e.length, e.protocol, e.message, e.direction, e.malformed, e.skipped);
  }

  /** `append` without the entry object (the ingest hot path). */
  add(time: number, connection: number, offset: number, length: number, protocol: number, message: number, direction: 0 | 1, malformed: boolean, skipped: boolean): number {
    const i = this.count++;
    if ((i & MASK) === 0) this.chunks.push(new Chunk());
    const c = this.chunks[i >>> CHUNK_BITS];
    const j = i & MASK;
    c.time[j] = time;
    c.offset[j] = offset;
    c.connection[j] = connection;
    c.length[j] = length;
    c.info[j] = protocol | (direction ? DIR_BIT : 0) | (malformed ? MALFORMED_BIT : 0) | (skipped ? SKIPPED_BIT : 0) | (message << MESSAGE_SHIFT);
    return i;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }

  private c(i: number): Chunk {
    if (i < 0 || i >= this.count) throw new RangeError(`frame ${i} out of range (0…${this.count - 1})`);
    return this.chunks[i >>> CHUNK_BITS];
  }

  time(i: number): number { return this.c(i).time[i & MASK]; }
  offset(i: number): number { return this.c(i).offset[i & MASK]; }
  connection(i: number): number { return this.c(i).connection[i & MASK]; }
  length(i: number): number { return this.c(i).length[i & MASK]; }
  protocol(i: number): number { return this.c(i).info[i & MASK] & 31; }
  direction(i: number): 0 | 1 { return this.c(i).info[i & MASK] & DIR_BIT ? 1 : 0; }
  malformed(i: number): boolean { return (this.c(i).info[i & MASK] & MALFORMED_BIT) !== 0; }
  skipped(i: number): boolean { return (this.c(i).info[i & MASK] & SKIPPED_BIT) !== 0; }
  message(i: number): number { return this.c(i).info[i & MASK] >>> MESSAGE_SHIFT; }
  pair(i: number): number { return this.c(i).pair[i & MASK]; }

  setPair(i: number, other: number): void { this.c(i).pair[i & MASK] = other; }

  markMalformed(i: number): void { this.c(i).info[i & MASK] |= MALFORMED_BIT; }

  /** Bytes held by the index arrays (for the memory budget). */
  get memoryBytes(): number {
    return this.chunks.length * CHUNK * BYTES_PER_FRAME;
  }
}

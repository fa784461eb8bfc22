/**
 * Reads pcap or pcapng, whichever the first bytes say: `parseCapture` over bytes in memory (tests, drag-and-drop),
 * `CaptureFileReader` streaming a file of any size with bounded memory (chunks of 64 KiB; a chunk stays alive only
 * while packets that view it are kept).
 */
import { open } from 'node:fs/promises';
import { CaptureFileError, MAX_RECORD_BYTES, type CaptureFileInfo, type CapturePacket, type RecordParser } from './capture-model';
import { PcapParser, pcapFlavour } from './pcap-reader';
import { BlockType, PcapngParser } from './pcapng-reader';

/** Picks the parser from the magic number once 4 bytes are there, then delegates. */
export class SniffingParser implements RecordParser {
  private inner: RecordParser | undefined;
  private readonly empty: CaptureFileInfo = { sections: [], interfaces: [], warnings: [] };

  get info(): CaptureFileInfo {
    return this.inner?.info ?? this.empty;
  }

  parse(buf: Uint8Array, pos: number, end: number, base: number, out: CapturePacket[]): number {
    if (!this.inner) {
      if (end - pos < 4) return pos;
      this.inner = pickParser(buf, pos, base);
    }
    return this.inner.parse(buf, pos, end, base, out);
  }

  incomplete(buf: Uint8Array, pos: number, end: number, base: number): CaptureFileError {
    if (!this.inner) {
      return new CaptureFileError('truncated', base + pos, end === pos ? 'empty file: not a capture' : `${end - pos} bytes are too few for a capture file`);
    }
    return this.inner.incomplete(buf, pos, end, base);
  }
}

function pickParser(buf: Uint8Array, pos: number, base: number): RecordParser {
  const first = ((buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]) >>> 0;
  if (first === BlockType.SECTION_HEADER) return new PcapngParser();
  if (pcapFlavour(buf, pos)) return new PcapParser();
  if (buf[pos] === 0x1f && buf[pos + 1] === 0x8b) {
    throw new CaptureFileError('unsupported', base + pos, 'gzip-compressed file: decompress it first');
  }
  throw new CaptureFileError('unsupported', base + pos, 'not a pcap or pcapng file (unknown magic number)');
}

export interface ParsedCapture {
  info: CaptureFileInfo;
  packets: CapturePacket[];
  /** Set when the bytes stop being readable; `packets` then holds everything before `error.offset`. */
  error?: CaptureFileError;
}

/** Parses a whole capture held in memory. Never throws: a damaged tail is reported in `error`. */
export function parseCapture(bytes: Uint8Array): ParsedCapture {
  const parser = new SniffingParser();
  const packets: CapturePacket[] = [];
  let error: CaptureFileError | undefined;
  try {
    const pos = parser.parse(bytes, 0, bytes.length, 0, packets);
    if (pos < bytes.length || parser.info.format === undefined) error = parser.incomplete(bytes, pos, bytes.length, 0);
  } catch (e) {
    if (!(e instanceof CaptureFileError)) throw e;
    error = e;
  }
  return { info: parser.info, packets, error };
}

export interface CaptureFileReaderOptions {
  /**
   * Bytes read per chunk (default 64 KiB). Small on purpose: a batch's packet objects live until the caller is done
   * with the batch, and a young-generation GC copies every one still alive — with 1 MiB chunks (~8,000 packets of a
   * typical capture) that copying was a third of the time of `framescope read`.
   */
  chunkSize?: number;
}

/**
 * Streams a capture file. Iterate `packets()` (or the reader itself) or, faster, `batches()` (one array per chunk).
 * `info` fills in as sections and interfaces are read. A damaged file throws a CaptureFileError after every packet
 * before the damage has been yielded.
 */
export class CaptureFileReader implements AsyncIterable<CapturePacket> {
  private readonly parser = new SniffingParser();
  private readonly chunkSize: number;

  constructor(readonly path: string, options: CaptureFileReaderOptions = {}) {
    this.chunkSize = options.chunkSize ?? 64 * 1024;
  }

  get info(): CaptureFileInfo {
    return this.parser.info;
  }

  async *batches(): AsyncGenerator<CapturePacket[], void, undefined> {
    const handle = await open(this.path, 'r');
    /** Reads the next chunk into a fresh buffer after `carry` (packets handed out earlier keep viewing their own chunk). */
    const readChunk = async (carry: Uint8Array, want: number, position: number): Promise<{ buf: Uint8Array; end: number; bytesRead: number }> => {
      const buf = new Uint8Array(carry.length + want);
      buf.set(carry);
      const { bytesRead } = await handle.read(buf, carry.length, want, position);
      return { buf, end: carry.length + bytesRead, bytesRead };
    };
    let next: Promise<{ buf: Uint8Array; end: number; bytesRead: number }> | undefined;
    try {
      let carryBase = 0; // file offset of the chunk's first byte (the carried-over bytes of the previous one)
      let filePosition = 0;
      next = readChunk(new Uint8Array(0), this.chunkSize, 0);
      for (;;) {
        const { buf, end, bytesRead } = await next;
        next = undefined;
        filePosition += bytesRead;
        const packets: CapturePacket[] = [];
        let pos: number;
        try {
          pos = this.parser.parse(buf, 0, end, carryBase, packets);
        } catch (e) {
          if (packets.length) yield packets; // everything before the damage first
          throw e;
        }
        if (bytesRead === 0) {
          if (packets.length) yield packets;
          if (pos < end || this.parser.info.format === undefined) throw this.parser.incomplete(buf, pos, end, carryBase);
          return;
        }
        const carry = buf.subarray(pos, end);
        carryBase += pos;
        // A record longer than what is buffered: read enough more to hold it (parsers cap a record's size).
        const want = pos === 0 && end >= this.chunkSize ? Math.min(Math.max(this.chunkSize, end), MAX_RECORD_BYTES + 64) : this.chunkSize;
        // The next read runs while the caller works on this batch.
        next = readChunk(carry, want, filePosition);
        if (packets.length) yield packets;
      }
    } finally {
      // A caller that stops early leaves a read in flight: it must return before the file is closed.
      if (next) await next.catch(() => undefined);
      await handle.close();
    }
  }

  async *packets(): AsyncGenerator<CapturePacket, void, undefined> {
    for await (const batch of this.batches()) yield* batch;
  }

  [Symbol.asyncIterator](): AsyncIterator<CapturePacket> {
    return this.packets();
  }
}

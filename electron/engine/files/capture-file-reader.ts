/**
 * Reads pcap or pcapng, whichever the first bytes say: `parseCapture` over bytes in memory (tests, drag-and-drop),
 * `CaptureFileReader` streaming a file of any size with bounded memory (chunks of 1 MiB; a chunk stays alive only
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
  /** Bytes read per chunk (default 1 MiB). */
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
    this.chunkSize = options.chunkSize ?? 1024 * 1024;
  }

  get info(): CaptureFileInfo {
    return this.parser.info;
  }

  async *batches(): AsyncGenerator<CapturePacket[], void, undefined> {
    const handle = await open(this.path, 'r');
    try {
      let carry = new Uint8Array(0);
      let carryBase = 0; // file offset of carry[0]
      let filePosition = 0;
      let want = this.chunkSize;
      for (;;) {
        // A fresh buffer per chunk: packets handed out earlier keep viewing their own chunk, never a reused one.
        const buf = new Uint8Array(carry.length + want);
        buf.set(carry);
        const { bytesRead } = await handle.read(buf, carry.length, want, filePosition);
        filePosition += bytesRead;
        const end = carry.length + bytesRead;
        const packets: CapturePacket[] = [];
        let pos: number;
        try {
          pos = this.parser.parse(buf, 0, end, carryBase, packets);
        } catch (e) {
          if (packets.length) yield packets; // everything before the damage first
          throw e;
        }
        if (packets.length) yield packets;
        if (bytesRead === 0) {
          if (pos < end || this.parser.info.format === undefined) throw this.parser.incomplete(buf, pos, end, carryBase);
          return;
        }
        carry = buf.subarray(pos, end);
        carryBase += pos;
        // A record longer than what is buffered: read enough more to hold it (parsers cap a record's size).
        want = pos === 0 && end >= this.chunkSize ? Math.min(Math.max(this.chunkSize, end), MAX_RECORD_BYTES + 64) : this.chunkSize;
      }
    } finally {
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

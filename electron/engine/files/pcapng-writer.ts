/**
 * Writes pcapng: one section (shb_userappl "Framescope", optional comments), one Interface Description Block per
 * link type, on first use, and an Enhanced Packet Block per packet with ns or µs timestamps. Little-endian.
 *
 * `PcapngEncoder` turns packets into blocks (no I/O). `PcapngWriter` appends them to a file: `append` only buffers,
 * `flush` writes what is buffered, so a crash loses at most what was appended since the last flush. It is the
 * engine's spool format: `append` returns where the packet's bytes will sit in the file, for the frame index.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { utf8 } from '../../../shared/codec/bytes';
import { BlockType, BYTE_ORDER_MAGIC } from './pcapng-reader';

export interface PcapngWriterOptions {
  /** Timestamp resolution of every interface (default 'ns'). */
  resolution?: 'ns' | 'us';
  /** Section comments (one opt_comment each). */
  comments?: string[];
  /** shb_userappl; default 'Framescope'. */
  userAppl?: string;
  hardware?: string;
  os?: string;
  /** if_name per link type, e.g. { 1: 'framescope-proxy' }. */
  interfaceNames?: Record<number, string>;
}

export interface PacketToWrite {
  linkType: number;
  /** Nanoseconds since the Unix epoch. */
  timestamp: bigint;
  data: Uint8Array;
  /** Length on the wire before any truncation; defaults to data.length. */
  originalLength?: number;
  comment?: string;
}

/** Where an appended packet lands in the file. */
export interface WrittenPacket {
  /** File offset of the Enhanced Packet Block. */
  blockOffset: number;
  /** File offset of the packet's first byte. */
  dataOffset: number;
  interfaceId: number;
}

const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_TSRESOL = 9;

const pad4 = (n: number) => (n + 3) & ~3;

type Option = [code: number, value: Uint8Array];

function optionsLength(options: Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((n, [, v]) => n + 4 + pad4(v.length), 0) + 4; // + opt_endofopt
}

function writeOptions(bytes: Uint8Array, view: DataView, at: number, options: Option[]): number {
  if (options.length === 0) return at;
  for (const [code, value] of options) {
    view.setUint16(at, code, true);
    view.setUint16(at + 2, value.length, true);
    bytes.set(value, at + 4);
    at += 4 + pad4(value.length);
  }
  return at + 4; // opt_endofopt: code 0, length 0 (the buffer is zero-filled)
}

/** A block with `fixed` bytes of body after type/length, then options, then the trailing length. */
function block(type: number, fixed: number, options: Option[], fill: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const length = 8 + pad4(fixed) + optionsLength(options) + 4;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, length, true);
  fill(bytes, view);
  writeOptions(bytes, view, 8 + pad4(fixed), options);
  view.setUint32(length - 4, length, true);
  return bytes;
}

export class PcapngEncoder {
  private readonly interfaces = new Map<number, number>(); // link type → interface id
  private readonly nsResolution: boolean;

  constructor(private readonly options: PcapngWriterOptions = {}) {
    this.nsResolution = (options.resolution ?? 'ns') === 'ns';
  }

  sectionHeader(): Uint8Array {
    const o = this.options;
    const options: Option[] = [];
    for (const c of o.comments ?? []) options.push([OPT_COMMENT, utf8(c)]);
    if (o.hardware) options.push([SHB_HARDWARE, utf8(o.hardware)]);
    if (o.os) options.push([SHB_OS, utf8(o.os)]);
    options.push([SHB_USERAPPL, utf8(o.userAppl ?? 'Framescope')]);
    return block(BlockType.SECTION_HEADER, 16, options, (_, view) => {
      view.setUint32(8, BYTE_ORDER_MAGIC, true);
      view.setUint16(12, 1, true);
      view.setUint16(14, 0, true);
      view.setBigInt64(16, -1n, true); // section length not known while streaming
    });
  }

  /** The interface id for a link type, and its IDB when this is the first packet of that type. */
  interfaceFor(linkType: number): { id: number; block?: Uint8Array } {
    const known = this.interfaces.get(linkType);
    if (known !== undefined) return { id: known };
    const id = this.interfaces.size;
    this.interfaces.set(linkType, id);
    const options: Option[] = [];
    const name = this.options.interfaceNames?.[linkType];
    if (name) options.push([IF_NAME, utf8(name)]);
    if (this.nsResolution) options.push([IF_TSRESOL, Uint8Array.of(9)]);
    const idb = block(BlockType.INTERFACE_DESCRIPTION, 8, options, (_, view) => {
      view.setUint16(8, linkType, true);
      view.setUint32(12, 0, true); // snaplen 0: no limit
    });
    return { id, block: idb };
  }

  enhancedPacket(interfaceId: number, packet: PacketToWrite): Uint8Array {
    const units = this.nsResolution ? packet.timestamp : packet.timestamp / 1000n;
    const options: Option[] = packet.comment !== undefined ? [[OPT_COMMENT, utf8(packet.comment)]] : [];
    return block(BlockType.ENHANCED_PACKET, 20 + packet.data.length, options, (bytes, view) => {
      view.setUint32(8, interfaceId, true);
      view.setUint32(12, Number((units >> 32n) & 0xffffffffn), true);
      view.setUint32(16, Number(units & 0xffffffffn), true);
      view.setUint32(20, packet.data.length, true);
      view.setUint32(24, packet.originalLength ?? packet.data.length, true);
      bytes.set(packet.data, 28);
    });
  }

  /** The blocks for one packet: its interface's IDB if new, then the EPB. */
  packet(packet: PacketToWrite): { interfaceId: number; blocks: Uint8Array[] } {
    const iface = this.interfaceFor(packet.linkType);
    const epb = this.enhancedPacket(iface.id, packet);
    return { interfaceId: iface.id, blocks: iface.block ? [iface.block, epb] : [epb] };
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** A whole pcapng file in memory (exports, tests). */
export function encodePcapng(packets: Iterable<PacketToWrite>, options: PcapngWriterOptions = {}): Uint8Array {
  const encoder = new PcapngEncoder(options);
  const chunks = [encoder.sectionHeader()];
  for (const p of packets) chunks.push(...encoder.packet(p).blocks);
  return concat(chunks, chunks.reduce((n, c) => n + c.length, 0));
}

export class PcapngWriter {
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** Logical end of file, counting what is still buffered. */
  private position = 0;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly handle: FileHandle, private readonly encoder: PcapngEncoder) {}

  /** Creates (or truncates) the file and writes its section header. */
  static async create(path: string, options: PcapngWriterOptions = {}): Promise<PcapngWriter> {
    const handle = await open(path, 'w');
    const writer = new PcapngWriter(handle, new PcapngEncoder(options));
    writer.push(writer.encoder.sectionHeader());
    await writer.flush();
    return writer;
  }

  /** Bytes appended but not yet flushed. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  append(packet: PacketToWrite): WrittenPacket {
    if (this.closed) throw new Error('pcapng writer is closed');
    const { interfaceId, blocks } = this.encoder.packet(packet);
    if (blocks.length === 2) this.push(blocks[0]);
    const blockOffset = this.position;
    this.push(blocks[blocks.length - 1]);
    return { blockOffset, dataOffset: blockOffset + 28, interfaceId };
  }

  /** Writes everything appended so far; with `durable`, also waits for the disk (fdatasync). Calls queue up. */
  flush(options: { durable?: boolean } = {}): Promise<void> {
    const chunks = this.pending;
    const total = this.pendingLength;
    this.pending = [];
    this.pendingLength = 0;
    const run = async () => {
      if (total > 0) {
        const bytes = chunks.length === 1 ? chunks[0] : concat(chunks, total);
        let done = 0;
        while (done < bytes.length) done += (await this.handle.write(bytes, done, bytes.length - done)).bytesWritten;
      }
      if (options.durable) await this.handle.datasync();
    };
    this.writing = this.writing.then(run);
    return this.writing;
  }

  /** Flushes and closes the file; the file is closed even when the last write fails (the error is rethrown). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  private push(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingLength += bytes.length;
    this.position += bytes.length;
  }
}

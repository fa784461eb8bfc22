/**
 * pcapng files: any number of sections (each with its own byte order and interfaces), Enhanced, Simple and obsolete
 * Packet Blocks, comments; every other block type is skipped. Incremental: see RecordParser.
 */
import { fromUtf8 } from '../../../shared/codec/bytes';
import {
  addWarning, CaptureFileError, MAX_RECORD_BYTES, NS_PER_SECOND,
  type CaptureFileInfo, type CaptureInterface, type CapturePacket, type CaptureSection, type RecordParser,
} from './capture-model';

export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  PACKET: 0x00000002, // obsolete
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** Per-interface state: how to turn raw timestamp units into nanoseconds. */
interface InterfaceClock {
  id: number;
  linkType: number;
  snapLength: number;
  multiply: bigint;
  divide: bigint;
  offsetNs: bigint;
  /** The last high timestamp word and its value in units (it changes every few seconds at most: one BigInt less per packet). */
  lastHigh: number;
  lastHighUnits: bigint;
}

function clockFor(base: 10 | 2, exponent: number, offsetSeconds: bigint): Pick<InterfaceClock, 'multiply' | 'divide' | 'offsetNs'> {
  const offsetNs = offsetSeconds * NS_PER_SECOND;
  if (base === 2) return { multiply: NS_PER_SECOND, divide: 1n << BigInt(exponent), offsetNs };
  if (exponent <= 9) return { multiply: 10n ** BigInt(9 - exponent), divide: 1n, offsetNs };
  return { multiply: 1n, divide: 10n ** BigInt(exponent - 9), offsetNs };
}

function optionText(buf: Uint8Array, start: number, length: number): string {
  let end = start + length;
  while (end > start && buf[end - 1] === 0) end--; // some writers NUL-terminate strings
  return fromUtf8(buf, start, end);
}

export class PcapngParser implements RecordParser {
  readonly info: CaptureFileInfo = { format: 'pcapng', sections: [], interfaces: [], warnings: [] };
  private littleEndian = true;
  /** Interfaces of the current section, by local id. */
  private clocks: InterfaceClock[] = [];

  parse(buf: Uint8Array, pos: number, end: number, base: number, out: CapturePacket[]): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (;;) {
      if (end - pos < 12) return pos;
      const type = view.getUint32(pos, this.littleEndian);
      let le = this.littleEndian;
      if (type === BlockType.SECTION_HEADER) {
        const magic = view.getUint32(pos + 8, true);
        if (magic === BYTE_ORDER_MAGIC) le = true;
        else if (magic === 0x4d3c2b1a) le = false;
        else throw new CaptureFileError('corrupt', base + pos, 'pcapng section header has no valid byte-order magic');
      } else if (this.info.sections.length === 0) {
        throw new CaptureFileError('unsupported', base + pos, 'not a pcapng file (it does not start with a Section Header Block)');
      }
      const length = view.getUint32(pos + 4, le);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
        throw new CaptureFileError('corrupt', base + pos, `pcapng block of type 0x${type.toString(16)} has an invalid length ${length}`);
      }
      if (end - pos < length) return pos;
      if (view.getUint32(pos + length - 4, le) !== length) {
        throw new CaptureFileError('corrupt', base + pos, `pcapng block of type 0x${type.toString(16)}: trailing length differs from ${length}`);
      }
      switch (type) {
        case BlockType.SECTION_HEADER:
          this.littleEndian = le;
          this.readSection(buf, view, pos, length, base);
          break;
        case BlockType.INTERFACE_DESCRIPTION:
          this.readInterface(buf, view, pos, length, base);
          break;
        case BlockType.ENHANCED_PACKET:
          out.push(this.readPacket(buf, view, pos, length, base, false));
          break;
        case BlockType.PACKET:
          out.push(this.readPacket(buf, view, pos, length, base, true));
          break;
        case BlockType.SIMPLE_PACKET:
          out.push(this.readSimplePacket(buf, view, pos, length, base));
          break;
        default:
          break; // name resolution, statistics, decryption secrets, custom blocks: not ours to show
      }
      pos += length;
    }
  }

  incomplete(buf: Uint8Array, pos: number, end: number, base: number): CaptureFileError {
    if (end - pos < 12) return new CaptureFileError('truncated', base + pos, `pcapng block header cut short: ${end - pos} of 12 bytes`);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let le = this.littleEndian;
    if (view.getUint32(pos, le) === BlockType.SECTION_HEADER) le = view.getUint32(pos + 8, true) === BYTE_ORDER_MAGIC;
    return new CaptureFileError('truncated', base + pos, `pcapng block cut short: ${end - pos} of ${view.getUint32(pos + 4, le)} bytes`);
  }

  private options(buf: Uint8Array, view: DataView, start: number, blockEnd: number, base: number, each: (code: number, at: number, length: number) => void): void {
    const le = this.littleEndian;
    let pos = start;
    while (pos + 4 <= blockEnd) {
      const code = view.getUint16(pos, le);
      const length = view.getUint16(pos + 2, le);
      if (code === OPT_ENDOFOPT) return;
      if (pos + 4 + length > blockEnd) {
        addWarning(this.info, `option ${code} at offset ${base + pos} runs past its block; options ignored from there`);
        return;
      }
      each(code, pos + 4, length);
      pos += 4 + ((length + 3) & ~3);
    }
  }

  private tooShort(type: string, pos: number, length: number, base: number, minimum: number): void {
    if (length < minimum) throw new CaptureFileError('corrupt', base + pos, `pcapng ${type} block of ${length} bytes is shorter than ${minimum}`);
  }

  private readSection(buf: Uint8Array, view: DataView, pos: number, length: number, base: number): void {
    this.tooShort('section header', pos, length, base, 28);
    const le = this.littleEndian;
    const major = view.getUint16(pos + 12, le);
    const minor = view.getUint16(pos + 14, le);
    if (major !== 1) throw new CaptureFileError('unsupported', base + pos, `pcapng version ${major}.${minor} is not supported`);
    const section: CaptureSection = {
      index: this.info.sections.length,
      offset: base + pos,
      byteOrder: le ? 'little' : 'big',
      version: `${major}.${minor}`,
      comments: [],
    };
    this.options(buf, view, pos + 24, pos + length - 4, base, (code, at, len) => {
      if (code === OPT_COMMENT) section.comments.push(optionText(buf, at, len));
      else if (code === SHB_HARDWARE) section.hardware = optionText(buf, at, len);
      else if (code === SHB_OS) section.os = optionText(buf, at, len);
      else if (code === SHB_USERAPPL) section.userAppl = optionText(buf, at, len);
    });
    this.info.sections.push(section);
    this.clocks = []; // interface ids start again in every section
  }

  private readInterface(buf: Uint8Array, view: DataView, pos: number, length: number, base: number): void {
    this.tooShort('interface description', pos, length, base, 20);
    const le = this.littleEndian;
    const description: CaptureInterface = {
      id: this.info.interfaces.length,
      section: this.info.sections.length - 1,
      linkType: view.getUint16(pos + 8, le),
      snapLength: view.getUint32(pos + 12, le),
      timestampBase: 10,
      timestampExponent: 6,
      timestampOffsetSeconds: 0n,
    };
    this.options(buf, view, pos + 16, pos + length - 4, base, (code, at, len) => {
      if (code === IF_NAME) description.name = optionText(buf, at, len);
      else if (code === IF_DESCRIPTION) description.description = optionText(buf, at, len);
      else if (code === IF_TSRESOL && len >= 1) {
        description.timestampBase = buf[at] & 0x80 ? 2 : 10;
        description.timestampExponent = buf[at] & 0x7f;
      } else if (code === IF_TSOFFSET && len >= 8) description.timestampOffsetSeconds = view.getBigInt64(at, le);
    });
    this.info.interfaces.push(description);
    this.clocks.push({
      id: description.id,
      linkType: description.linkType,
      snapLength: description.snapLength,
      ...clockFor(description.timestampBase, description.timestampExponent, description.timestampOffsetSeconds),
      lastHigh: 0,
      lastHighUnits: 0n,
    });
  }

  private clock(local: number, pos: number, base: number): InterfaceClock {
    const clock = this.clocks[local];
    if (!clock) {
      throw new CaptureFileError('corrupt', base + pos, `packet refers to interface ${local}, but its section describes ${this.clocks.length}`);
    }
    return clock;
  }

  private readPacket(buf: Uint8Array, view: DataView, pos: number, length: number, base: number, obsolete: boolean): CapturePacket {
    this.tooShort(obsolete ? 'packet' : 'enhanced packet', pos, length, base, 32);
    const le = this.littleEndian;
    const clock = this.clock(obsolete ? view.getUint16(pos + 8, le) : view.getUint32(pos + 8, le), pos, base);
    const capturedLength = view.getUint32(pos + 20, le);
    const dataEnd = pos + 28 + capturedLength;
    if (dataEnd > pos + length - 4) {
      throw new CaptureFileError('corrupt', base + pos, `packet claims ${capturedLength} captured bytes in a ${length}-byte block`);
    }
    const high = view.getUint32(pos + 12, le);
    if (high !== clock.lastHigh) { clock.lastHigh = high; clock.lastHighUnits = BigInt(high) << 32n; }
    const units = clock.lastHighUnits + BigInt(view.getUint32(pos + 16, le));
    let timestamp = clock.multiply === 1n ? units : units * clock.multiply;
    if (clock.divide !== 1n) timestamp /= clock.divide;
    if (clock.offsetNs !== 0n) timestamp += clock.offsetNs;
    const packet: CapturePacket = {
      interfaceId: clock.id,
      linkType: clock.linkType,
      timestamp,
      capturedLength,
      originalLength: view.getUint32(pos + 24, le),
      data: buf.subarray(pos + 28, dataEnd),
    };
    const optionsStart = pos + 28 + ((capturedLength + 3) & ~3);
    if (optionsStart < pos + length - 4) {
      this.options(buf, view, optionsStart, pos + length - 4, base, (code, at, len) => {
        if (code === OPT_COMMENT) {
          const text = optionText(buf, at, len);
          packet.comment = packet.comment === undefined ? text : `${packet.comment}\n${text}`;
        }
      });
    }
    return packet;
  }

  private readSimplePacket(buf: Uint8Array, view: DataView, pos: number, length: number, base: number): CapturePacket {
    this.tooShort('simple packet', pos, length, base, 16);
    const clock = this.clock(0, pos, base);
    const originalLength = view.getUint32(pos + 8, this.littleEndian);
    // The block has no captured length: it is the original length cut by the snap length and the block size.
    let capturedLength = Math.min(originalLength, length - 16);
    if (clock.snapLength > 0) capturedLength = Math.min(capturedLength, clock.snapLength);
    return {
      interfaceId: clock.id,
      linkType: clock.linkType,
      timestamp: 0n,
      capturedLength,
      originalLength,
      data: buf.subarray(pos + 12, pos + 12 + capturedLength),
    };
  }
}

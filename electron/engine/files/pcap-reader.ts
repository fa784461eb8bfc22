/**
 * Classic libpcap files: both byte orders, microsecond and nanosecond magic, and the "modified" (Kuznetzov) variant.
 * Incremental: see RecordParser.
 */
import { addWarning, CaptureFileError, MAX_RECORD_BYTES, NS_PER_SECOND, type CaptureFileInfo, type CapturePacket, type RecordParser } from './capture-model';

const HEADER_BYTES = 24;

interface Flavour {
  littleEndian: boolean;
  variant: 'microsecond' | 'nanosecond' | 'modified';
}

/** Recognises the magic in the first 4 bytes (as they appear in the file). */
export function pcapFlavour(b: Uint8Array, at = 0): Flavour | undefined {
  const le = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  const be = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
  for (const [value, littleEndian] of [[le, true], [be, false]] as const) {
    if (value === 0xa1b2c3d4) return { littleEndian, variant: 'microsecond' };
    if (value === 0xa1b23c4d) return { littleEndian, variant: 'nanosecond' };
    if (value === 0xa1b2cd34) return { littleEndian, variant: 'modified' };
  }
  return undefined;
}

export class PcapParser implements RecordParser {
  readonly info: CaptureFileInfo = { format: 'pcap', sections: [], interfaces: [], warnings: [] };
  private flavour: Flavour | undefined;
  private recordHeader = 16;
  private fractionToNs = 1000n;
  private fractionLimit = 1_000_000;
  private linkType = 0;

  parse(buf: Uint8Array, pos: number, end: number, base: number, out: CapturePacket[]): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (!this.flavour) {
      if (end - pos < HEADER_BYTES) return pos;
      this.readHeader(buf, view, pos, base);
      pos += HEADER_BYTES;
    }
    const le = this.flavour!.littleEndian;
    const recordHeader = this.recordHeader;
    const linkType = this.linkType;
    while (end - pos >= recordHeader) {
      const capturedLength = view.getUint32(pos + 8, le);
      if (capturedLength > MAX_RECORD_BYTES) {
        throw new CaptureFileError('corrupt', base + pos, `pcap record claims ${capturedLength} captured bytes`);
      }
      const next = pos + recordHeader + capturedLength;
      if (next > end) break;
      const seconds = view.getUint32(pos, le);
      const fraction = view.getUint32(pos + 4, le);
      if (fraction >= this.fractionLimit) {
        addWarning(this.info, `record at offset ${base + pos}: sub-second field ${fraction} is out of range`);
      }
      out.push({
        interfaceId: 0,
        linkType,
        timestamp: BigInt(seconds) * NS_PER_SECOND + BigInt(fraction) * this.fractionToNs,
        capturedLength,
        originalLength: view.getUint32(pos + 12, le),
        data: buf.subarray(pos + recordHeader, next),
      });
      pos = next;
    }
    return pos;
  }

  incomplete(buf: Uint8Array, pos: number, end: number, base: number): CaptureFileError {
    if (!this.flavour) {
      return new CaptureFileError('truncated', base + pos, `pcap file header cut short: ${end - pos} of ${HEADER_BYTES} bytes`);
    }
    if (end - pos < this.recordHeader) {
      return new CaptureFileError('truncated', base + pos, `pcap record header cut short: ${end - pos} of ${this.recordHeader} bytes`);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const capturedLength = view.getUint32(pos + 8, this.flavour.littleEndian);
    return new CaptureFileError('truncated', base + pos, `pcap record cut short: ${end - pos - this.recordHeader} of ${capturedLength} packet bytes`);
  }

  private readHeader(buf: Uint8Array, view: DataView, pos: number, base: number): void {
    const flavour = pcapFlavour(buf, pos);
    if (!flavour) throw new CaptureFileError('unsupported', base + pos, 'not a pcap file (unknown magic number)');
    const le = flavour.littleEndian;
    const major = view.getUint16(pos + 4, le);
    const minor = view.getUint16(pos + 6, le);
    if (major !== 2) throw new CaptureFileError('unsupported', base + pos, `pcap version ${major}.${minor} is not supported`);
    const snapLength = view.getUint32(pos + 16, le);
    const network = view.getUint32(pos + 20, le);
    // The top 4 bits may say an FCS is appended (pcap spec "LinkType and additional information"); keep the type.
    this.linkType = network & 0x0fffffff;
    this.flavour = flavour;
    this.recordHeader = flavour.variant === 'modified' ? 24 : 16;
    if (flavour.variant === 'nanosecond') {
      this.fractionToNs = 1n;
      this.fractionLimit = 1_000_000_000;
    }
    this.info.variant = flavour.variant;
    this.info.sections.push({ index: 0, offset: base + pos, byteOrder: le ? 'little' : 'big', version: `${major}.${minor}`, comments: [] });
    this.info.interfaces.push({
      id: 0,
      section: 0,
      linkType: this.linkType,
      snapLength,
      timestampBase: 10,
      timestampExponent: flavour.variant === 'nanosecond' ? 9 : 6,
      timestampOffsetSeconds: 0n,
    });
  }
}

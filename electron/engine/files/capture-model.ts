/**
 * What the capture-file readers produce: packets, and the sections and interfaces that describe them.
 *
 * Timestamps are a bigint count of nanoseconds since the Unix epoch (UTC). One number sorts and subtracts exactly;
 * a float of seconds cannot hold nanoseconds past 2^53, and a { seconds, nanos } pair costs an object per packet.
 * Resolutions finer than 1 ns (pcapng if_tsresol > 9) are truncated to whole nanoseconds.
 */

export interface CapturePacket {
  /** Index into CaptureFileInfo.interfaces: numbered across the whole file, so several pcapng sections never clash. */
  interfaceId: number;
  /** pcap LINKTYPE_* value of that interface. */
  linkType: number;
  /** Nanoseconds since the Unix epoch. 0n for a pcapng Simple Packet Block, which has none. */
  timestamp: bigint;
  capturedLength: number;
  originalLength: number;
  /** The captured bytes: a view into the chunk the reader read (slice() it to keep a few packets of a large file). */
  data: Uint8Array;
  /** pcapng opt_comment values of the packet, joined with '\n' when there are several. */
  comment?: string;
}

export interface CaptureSection {
  index: number;
  /** File offset of the section's header (0 for classic pcap). */
  offset: number;
  byteOrder: 'little' | 'big';
  /** Format version, e.g. '2.4' (pcap) or '1.0' (pcapng). */
  version: string;
  /** pcapng opt_comment of the Section Header Block, in file order. */
  comments: string[];
  hardware?: string;
  os?: string;
  userAppl?: string;
}

export interface CaptureInterface {
  /** The id packets carry: global across sections. */
  id: number;
  section: number;
  linkType: number;
  snapLength: number;
  name?: string;
  description?: string;
  /** if_tsresol as written: base 10 or 2, and the negative exponent (µs = 10/6, ns = 10/9). */
  timestampBase: 10 | 2;
  timestampExponent: number;
  /** if_tsoffset, seconds added to every timestamp. */
  timestampOffsetSeconds: bigint;
}

export interface CaptureFileInfo {
  format?: 'pcap' | 'pcapng';
  /** Classic pcap flavour: 'modified' is Alexey Kuznetzov's 24-byte record header. */
  variant?: 'microsecond' | 'nanosecond' | 'modified';
  sections: CaptureSection[];
  interfaces: CaptureInterface[];
  /** Survivable oddities (bad option lengths, …), with their offsets. */
  warnings: string[];
}

export type CaptureFileErrorKind = 'truncated' | 'corrupt' | 'unsupported';

/** A capture file that cannot be read past `offset` (an absolute file offset). */
export class CaptureFileError extends Error {
  constructor(readonly kind: CaptureFileErrorKind, readonly offset: number, message: string) {
    super(`${message} (at file offset ${offset})`);
    this.name = 'CaptureFileError';
  }
}

/**
 * One format's incremental parser. `parse` reads complete records from buf[pos, end), pushes packets to `out` and
 * returns where the first incomplete record starts; `base` is the file offset of buf[0]. Corrupt data throws a
 * CaptureFileError. `incomplete` explains, at end of file, why the bytes left over are not a record.
 */
export interface RecordParser {
  readonly info: CaptureFileInfo;
  parse(buf: Uint8Array, pos: number, end: number, base: number, out: CapturePacket[]): number;
  incomplete(buf: Uint8Array, pos: number, end: number, base: number): CaptureFileError;
}

/** Largest record we buffer: far above any real snaplen, small enough that a garbage length cannot eat memory. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Keeps the warning list short on a badly damaged file. */
export const MAX_WARNINGS = 100;

export function addWarning(info: CaptureFileInfo, text: string): void {
  if (info.warnings.length < MAX_WARNINGS) info.warnings.push(text);
  else if (info.warnings.length === MAX_WARNINGS) info.warnings.push('further warnings suppressed');
}

export const NS_PER_SECOND = 1_000_000_000n;

/** Splits a timestamp for display or JSON, where bigint does not travel. */
export function splitTimestamp(ns: bigint): { seconds: number; nanos: number } {
  const seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  let s = seconds;
  if (nanos < 0n) { nanos += NS_PER_SECOND; s -= 1n; }
  return { seconds: Number(s), nanos: Number(nanos) };
}

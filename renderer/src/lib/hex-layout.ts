/** The hex pane's geometry: 16 bytes a line, offsets in hex, printable ASCII or a dot. */
export const BYTES_PER_LINE = 16;

export function lineCount(length: number): number {
  return Math.max(1, Math.ceil(length / BYTES_PER_LINE));
}

/** Offset column: at least 4 hex digits, more when the PDU is larger than 64 KiB. */
export function offsetLabel(offset: number, totalLength: number): string {
  const digits = Math.max(4, totalLength.toString(16).length);
  return offset.toString(16).padStart(digits, '0');
}

export function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** Printable ASCII as itself, everything else as a dot (captured data is never interpreted). */
export function asciiChar(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** Whether byte `offset` lies in [start, start+length). */
export function inRange(offset: number, range: { start: number; length: number } | undefined): boolean {
  return range !== undefined && offset >= range.start && offset < range.start + range.length;
}

/** The lines [first, last] that a byte range touches (for scrolling a highlight into view). */
export function linesOfRange(range: { start: number; length: number }): [number, number] {
  const first = Math.floor(range.start / BYTES_PER_LINE);
  const last = Math.floor((range.start + Math.max(1, range.length) - 1) / BYTES_PER_LINE);
  return [first, last];
}

/**
 * Where a key moves the bytes pane's cursor: arrows by a byte or a line, Home and End to the line's ends, clamped to
 * the bytes; undefined for any other key (or no bytes).
 */
export function moveCursor(key: string, from: number, length: number): number | undefined {
  if (length === 0) return undefined;
  const lineStart = from - (from % BYTES_PER_LINE);
  const moves: Record<string, number> = {
    ArrowLeft: from - 1, ArrowRight: from + 1, ArrowUp: from - BYTES_PER_LINE, ArrowDown: from + BYTES_PER_LINE,
    Home: lineStart, End: lineStart + BYTES_PER_LINE - 1,
  };
  const target = moves[key];
  return target === undefined ? undefined : Math.max(0, Math.min(length - 1, target));
}

import { describe, expect, it } from 'vitest';
import { asciiChar, inRange, lineCount, linesOfRange, moveCursor, offsetLabel } from '../../../../renderer/src/lib/hex-layout';

describe('hex layout', () => {
  it('shows printable ASCII and dots for the rest', () => {
    expect([0x41, 0x20, 0x7e, 0x7f, 0x00, 0xff, 0x0a].map(asciiChar).join('')).toBe('A ~....');
  });
  it('widens the offset column past 64 KiB', () => {
    expect(offsetLabel(0x10, 100)).toBe('0010');
    expect(offsetLabel(0x10, 0x12345)).toBe('00010');
  });
  it('computes lines and ranges', () => {
    expect(lineCount(0)).toBe(1);
    expect(lineCount(16)).toBe(1);
    expect(lineCount(17)).toBe(2);
    expect(linesOfRange({ start: 15, length: 2 })).toEqual([0, 1]);
    expect(linesOfRange({ start: 32, length: 0 })).toEqual([2, 2]);
    expect(inRange(5, { start: 5, length: 1 })).toBe(true);
    expect(inRange(6, { start: 5, length: 1 })).toBe(false);
    expect(inRange(5, undefined)).toBe(false);
  });
  it('moves the bytes cursor by a byte, a line, or to the line ends, never past the bytes', () => {
    expect(moveCursor('ArrowRight', 5, 40)).toBe(6);
    expect(moveCursor('ArrowLeft', 0, 40)).toBe(0);
    expect(moveCursor('ArrowDown', 20, 40)).toBe(36);
    expect(moveCursor('ArrowDown', 30, 40)).toBe(39);
    expect(moveCursor('ArrowUp', 5, 40)).toBe(0);
    expect(moveCursor('Home', 21, 40)).toBe(16);
    expect(moveCursor('End', 17, 40)).toBe(31);
    expect(moveCursor('End', 33, 40)).toBe(39);
    expect(moveCursor('a', 3, 40)).toBeUndefined();
    expect(moveCursor('ArrowRight', 0, 0)).toBeUndefined();
  });
});

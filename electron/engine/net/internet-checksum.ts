/** The RFC 1071 ones'-complement checksum used by IPv4 and TCP. */

/** Adds bytes [start, end) as big-endian 16-bit words to a running 32-bit sum (no folding yet). */
export function sumWords(bytes: Uint8Array, start = 0, end = bytes.length, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8; // an odd last byte is padded with zero
  // Fold early so the sum never leaves the safe-integer range, however long the input.
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return finishChecksum(sumWords(bytes, start, end));
}

/** TCP/UDP checksum over the IPv4 or IPv6 pseudo-header plus the segment. */
export function transportChecksum(src: Uint8Array, dst: Uint8Array, protocol: number, segment: Uint8Array, start = 0, end = segment.length): number {
  const length = end - start;
  let sum = sumWords(src) + sumWords(dst) + protocol;
  if (src.length === 16) sum += Math.floor(length / 0x10000) + (length & 0xffff); // IPv6: 32-bit upper-layer length
  else sum += length;
  return finishChecksum(sumWords(segment, start, end, sum));
}

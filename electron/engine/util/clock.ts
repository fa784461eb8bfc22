/** Wall-clock time in ns since the epoch with the resolution of the monotonic clock (Date.now() has only ms). */
const baseWall = BigInt(Date.now()) * 1_000_000n;
const baseMono = process.hrtime.bigint();

export function nowNs(): bigint {
  return baseWall + (process.hrtime.bigint() - baseMono);
}

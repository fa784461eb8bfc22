/**
 * Requests of one connection and direction that wait for their response: pairing lane → frame index, or several
 * in FIFO order. A Map in insertion order, with one difference in how it lives: V8 gives a Map a smaller table
 * when a delete leaves it (nearly) empty, and a bigger one again on the next insert, and the usual life of these
 * maps is exactly that — one request waits, its response comes, the map is empty again — so every request and
 * response paid for two new tables. An entry that is never removed, under a key no lane can be, keeps the table.
 */
const KEEP = Symbol('keeps the table');

export class WaitingRequests {
  private readonly map = new Map<string | number | symbol, number | number[]>([[KEEP, -1]]);

  /** Lanes waiting. */
  get size(): number {
    return this.map.size - 1;
  }

  get(lane: string | number): number | number[] | undefined {
    return this.map.get(lane);
  }

  set(lane: string | number, frames: number | number[]): void {
    this.map.set(lane, frames);
  }

  delete(lane: string | number): void {
    this.map.delete(lane);
  }

  /** Gives up the lane that has waited longest. */
  deleteOldest(): void {
    const keys = this.map.keys();
    keys.next(); // KEEP, the first entry ever
    const oldest = keys.next();
    if (!oldest.done) this.map.delete(oldest.value);
  }
}

/** A small least-recently-used map: the decoded trees and frame details the renderer keeps. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('Lru: capacity must be at least 1');
  }

  get size(): number { return this.map.size; }

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    // Map keeps insertion order: re-inserting makes the key the most recent.
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  has(key: K): boolean { return this.map.has(key); }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void { this.map.delete(key); }

  clear(): void { this.map.clear(); }
}

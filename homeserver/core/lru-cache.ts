/**
 * A bounded map that forgets the entries least recently used first, approximately: entries live in a "recent"
 * generation and an "older" one. Reads of recent entries cost one Map lookup and never reorder anything (a
 * strict LRU deletes and re-inserts on every read, which showed in profiles of sync fan-out); a read of an older
 * entry moves it to the recent generation. When the recent generation is full, the older one is dropped whole
 * and the recent one becomes the older. So an entry read since the last turnover survives the next one, and the
 * map never holds more than `capacity` entries (plus one, for an odd capacity).
 */
export class LruCache<K, V> {
  private recent = new Map<K, V>();
  private older = new Map<K, V>();
  private readonly generationSize: number;

  /** `onEvict` hears of entries dropped for room (not of deletes), for callers that must remember a bound. */
  constructor(
    capacity: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    this.generationSize = Math.max(1, Math.ceil(capacity / 2));
  }

  get(key: K): V | undefined {
    const value = this.recent.get(key);
    if (value !== undefined) return value;
    const old = this.older.get(key);
    if (old === undefined) return undefined;
    this.older.delete(key);
    this.addRecent(key, old);
    return old;
  }

  has(key: K): boolean {
    return this.recent.has(key) || this.older.has(key);
  }

  set(key: K, value: V): void {
    if (this.recent.has(key)) {
      this.recent.set(key, value);
      return;
    }
    this.older.delete(key);
    this.addRecent(key, value);
  }

  delete(key: K): void {
    this.recent.delete(key);
    this.older.delete(key);
  }

  clear(): void {
    this.recent.clear();
    this.older.clear();
  }

  get size(): number {
    return this.recent.size + this.older.size;
  }

  private addRecent(key: K, value: V): void {
    if (this.recent.size >= this.generationSize) {
      const dropped = this.older;
      this.older = this.recent;
      this.recent = new Map();
      if (this.onEvict) for (const [k, v] of dropped) this.onEvict(k, v);
    }
    this.recent.set(key, value);
  }
}

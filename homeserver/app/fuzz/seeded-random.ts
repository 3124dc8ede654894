/** A small deterministic generator (mulberry32): the same seed gives the same cases on every run. */
export class SeededRandom {
  private state: number;

  constructor(seed: string | number) {
    this.state = typeof seed === "number" ? seed >>> 0 : hashString(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** FNV-1a: seeds each route from its name, so adding a route does not change the cases of the others. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Up to `budget` items, taken in turn from each category's shuffled list, so that a small budget still
 * covers every kind of malformed input (path, query, body shape, content type, schema fields, auth).
 */
export function sampleAcrossCategories<T>(categories: T[][], budget: number, random: SeededRandom): T[] {
  const queues = categories.filter((c) => c.length > 0).map((c) => random.shuffled(c));
  const out: T[] = [];
  while (out.length < budget && queues.some((q) => q.length > 0)) {
    for (const queue of queues) {
      const next = queue.shift();
      if (next !== undefined && out.length < budget) out.push(next);
    }
  }
  return out;
}

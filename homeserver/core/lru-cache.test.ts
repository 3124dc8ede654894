import { describe, expect, it } from "vitest";
import { LruCache } from "./lru-cache.js";

describe("LruCache", () => {
  it("never holds more than its capacity, and keeps what was read since the last turnover", () => {
    const evicted: number[] = [];
    const cache = new LruCache<number, string>(4, (key) => evicted.push(key));
    for (const key of [1, 2, 3, 4]) cache.set(key, `v${key}`);
    expect(cache.size).toBe(4);
    expect(cache.get(1)).toBe("v1"); // read: moves to the recent generation
    cache.set(5, "v5");
    cache.set(6, "v6");
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get(1)).toBe("v1");
    expect(cache.get(6)).toBe("v6");
    // The least recently used went first, and each was reported once.
    expect(evicted.sort()).toEqual([2, 3, 4].filter((key) => !cache.has(key)));
    for (const key of evicted) expect(cache.get(key)).toBeUndefined();
  });

  it("replaces a value in either generation without keeping the old one", () => {
    const cache = new LruCache<string, number>(4);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3); // "a" and "b" are now the older generation
    cache.set("a", 10);
    expect(cache.get("a")).toBe(10);
    expect(cache.size).toBe(3);
    cache.delete("a");
    expect(cache.has("a")).toBe(false);
    expect(cache.size).toBe(2);
  });

  it("stays bounded under a long stream of new keys, reporting every key it drops", () => {
    let evictions = 0;
    const cache = new LruCache<number, number>(100, () => evictions++);
    for (let i = 0; i < 10_000; i++) {
      cache.set(i, i);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(evictions + cache.size).toBe(10_000);
    expect(cache.get(9_999)).toBe(9_999);
  });
});

import { describe, expect, it } from "vitest";
import { OrderedPublisher } from "./ordered-publisher.js";
import { formatSyncToken, parseSyncToken, STREAMS, zeroPositions } from "./sync-token.js";

describe("OrderedPublisher", () => {
  it("never publishes N while a smaller position is still in flight", () => {
    const publisher = new OrderedPublisher(0);
    expect(publisher.allocate()).toBe(1);
    expect(publisher.allocate()).toBe(2);
    publisher.finish(2);
    expect(publisher.current).toBe(0);
    publisher.finish(1);
    expect(publisher.current).toBe(2);
  });

  it("treats an abandoned position as done", () => {
    const publisher = new OrderedPublisher(5);
    publisher.allocate();
    publisher.allocate();
    publisher.finish(6); // rolled back
    expect(publisher.current).toBe(6);
    publisher.finish(7);
    expect(publisher.current).toBe(7);
  });

  it("tells listeners each time the published position moves", () => {
    const publisher = new OrderedPublisher(0);
    const seen: number[] = [];
    publisher.onPublish((p) => seen.push(p));
    publisher.allocate();
    publisher.allocate();
    publisher.finish(2);
    publisher.finish(1);
    expect(seen).toEqual([2]);
  });

  it("runs a finished position's callback only once it is published", () => {
    const publisher = new OrderedPublisher(0);
    const seen: number[] = [];
    const a = publisher.allocate();
    const b = publisher.allocate();
    publisher.finish(b, () => seen.push(b));
    expect(seen).toEqual([]);
    publisher.finish(a, () => seen.push(a));
    expect(seen).toEqual([a, b]);
  });

  it("publishes up to the lowest position still in flight, whatever order thousands finish in", () => {
    const publisher = new OrderedPublisher(10);
    const positions = Array.from({ length: 3_000 }, () => publisher.allocate());
    // A deterministic shuffle: each step checks the published position against its definition.
    const order = [...positions].sort((a, b) => ((a * 7919) % 3001) - ((b * 7919) % 3001));
    const open = new Set(positions);
    for (const position of order) {
      publisher.finish(position);
      open.delete(position);
      const lowestOpen = Math.min(...open);
      expect(publisher.current).toBe(open.size === 0 ? 3_010 : lowestOpen - 1);
    }
    // Positions allocated after a long run of finished ones still hold readers back.
    const late = publisher.allocate();
    const later = publisher.allocate();
    publisher.finish(later);
    expect(publisher.current).toBe(late - 1);
    publisher.finish(late);
    expect(publisher.current).toBe(later);
  });

  it("continues after the initial position and ignores unknown finishes", () => {
    const publisher = new OrderedPublisher(4);
    publisher.finish(99);
    expect(publisher.current).toBe(4);
    expect(publisher.allocate()).toBe(5);
  });
});

describe("sync tokens", () => {
  it("round-trips every stream position", () => {
    const positions = { ...zeroPositions(), events: 72, accountData: 4, receipts: 9, toDevice: 3 };
    expect(parseSyncToken(formatSyncToken(positions))).toEqual(positions);
  });
  it("writes the positions in STREAMS order, and reads a longer token's extra streams (a newer server's) as unknown", () => {
    const positions = zeroPositions();
    STREAMS.forEach((stream, i) => (positions[stream] = 10 + i));
    expect(formatSyncToken(positions)).toBe(`s${STREAMS.map((_, i) => 10 + i).join("_")}`);
    expect(parseSyncToken(`${formatSyncToken(positions)}_99`)).toEqual(positions);
    expect(parseSyncToken(`s1_${2 ** 60}`)).toBeUndefined();
  });
  it("reads a shorter token's missing streams as 0 and rejects garbage", () => {
    expect(parseSyncToken("s5_2")).toEqual({ ...zeroPositions(), events: 5, accountData: 2 });
    expect(parseSyncToken("garbage")).toBeUndefined();
    expect(parseSyncToken("s1_x")).toBeUndefined();
  });
});

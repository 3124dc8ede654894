import { describe, expect, it } from "vitest";
import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import { RoomTimelineCache } from "./room-timeline-cache.js";

/** An in-memory stand-in for the events table with the two reads the cache uses, counting database reads. */
class FakeEvents {
  readonly rows: StoredEvent[] = [];
  reads = 0;

  add(roomId: string, pos: number, extra: Partial<StoredEvent["pdu"]> = {}): StoredEvent {
    const event = {
      streamPos: pos,
      roomSeq: pos,
      pdu: { event_id: `$${pos}`, room_id: roomId, type: "m.room.message", sender: "@a:x", content: {}, origin_server_ts: 0, prev_events: [], auth_events: [], depth: pos, ...extra },
      unsigned: null,
      senderDevice: null,
      txnId: null,
      redactedBy: null,
      stateGroupBefore: null,
      stateGroupAfter: null,
    } as StoredEvent;
    this.rows.push(event);
    return event;
  }

  async roomEventsBetween(roomId: string, from: number, to: number, limit: number) {
    this.reads += 1;
    const all = this.rows.filter((e) => e.pdu.room_id === roomId && e.streamPos > from && e.streamPos <= to).map((e) => ({ ...e }));
    return { events: all.slice(Math.max(0, all.length - limit)), limited: all.length > limit };
  }

  async getMany(ids: string[]) {
    return new Map(this.rows.filter((e) => ids.includes(e.pdu.event_id)).map((e) => [e.pdu.event_id, { ...e }]));
  }
}

describe("the recent-events cache of a room", () => {
  it("answers exactly what the database would, for windows that grow and queries of every shape", async () => {
    const fake = new FakeEvents();
    const cache = new RoomTimelineCache(fake as unknown as EventsStore);
    let pos = 0;
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let step = 0; step < 300; step++) {
      const burst = random(30);
      for (let i = 0; i < burst; i++) fake.add(random(3) === 0 ? "!other" : "!room", ++pos);
      const to = pos - random(3);
      const from = Math.max(0, to - random(400));
      const limit = random(40);
      const expected = await fake.roomEventsBetween("!room", from, to, limit);
      expect(await cache.between("!room", from, to, limit)).toEqual(expected);
    }
  });

  it("serves concurrent readers of the same new position with one database read", async () => {
    const fake = new FakeEvents();
    const cache = new RoomTimelineCache(fake as unknown as EventsStore);
    for (let pos = 1; pos <= 5; pos++) fake.add("!room", pos);
    await cache.between("!room", 0, 5, 10);
    fake.add("!room", 6);
    fake.reads = 0;
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.between("!room", 5, 6, 10)));
    expect(results.every((r) => r.events.map((e) => e.streamPos).join() === "6")).toBe(true);
    expect(fake.reads).toBe(1);
  });

  it("re-reads a cached event when a later redaction arrives", async () => {
    const fake = new FakeEvents();
    const cache = new RoomTimelineCache(fake as unknown as EventsStore);
    const target = fake.add("!room", 1);
    await cache.between("!room", 0, 1, 10);
    fake.add("!room", 2, { type: "m.room.redaction", redacts: "$1" });
    target.redactedBy = "$2";
    const { events } = await cache.between("!room", 0, 2, 10);
    expect(events[0].redactedBy).toBe("$2");
  });
});

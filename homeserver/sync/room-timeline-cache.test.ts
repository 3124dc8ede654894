import { describe, expect, it } from "vitest";
import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import { RoomTimelineCache } from "./room-timeline-cache.js";
import { Notifier } from "../streams/notifier.js";

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

  describe("following the writes (the notifier feed)", () => {
    /** A writer as the persist pipeline is: the rows commit, then the position is published and notified. */
    const setUp = () => {
      const fake = new FakeEvents();
      const notifier = new Notifier();
      const cache = new RoomTimelineCache(fake as unknown as EventsStore, { notifier, published: 0 });
      let published = 0;
      const write = (roomId: string, count: number, handOver: boolean, extra: Partial<StoredEvent["pdu"]> = {}) => {
        const rows = Array.from({ length: count }, () => fake.add(roomId, ++published, extra));
        notifier.onNew("events", published, { rooms: [roomId], events: handOver ? rows.map((r) => ({ ...r })) : undefined });
      };
      return { fake, cache, write, published: () => published };
    };

    it("answers new messages handed over with the wake-up, and quiet rooms, without reading the database", async () => {
      const { fake, cache, write, published } = setUp();
      write("!room", 3, false);
      await cache.between("!room", 0, published(), 10);
      fake.reads = 0;
      for (let i = 0; i < 50; i++) {
        write("!room", 1 + (i % 3), true);
        write("!other", 1, false); // moves the published position past the room's last write
        const to = published();
        const from = Math.max(0, to - 8);
        expect(await cache.between("!room", from, to, 10)).toEqual(await fake.roomEventsBetween("!room", from, to, 10));
        fake.reads -= 1; // the comparison's own read
      }
      expect(fake.reads).toBe(0);
    });

    it("reads again when a write came without its events, and when a redaction is handed over", async () => {
      const { fake, cache, write, published } = setUp();
      const target = fake.add("!room", 0.5); // below every later position
      write("!room", 2, false);
      await cache.between("!room", 0, published(), 10);
      fake.reads = 0;
      write("!room", 1, false);
      write("!room", 1, true); // cannot be appended: the window misses the write before it
      expect(await cache.between("!room", 0, published(), 10)).toEqual(await fake.roomEventsBetween("!room", 0, published(), 10));
      expect(fake.reads).toBe(2);
      target.redactedBy = "$redaction";
      write("!room", 1, true, { type: "m.room.redaction", redacts: target.pdu.event_id });
      const { events } = await cache.between("!room", 0, published(), 10);
      expect(events.find((e) => e.pdu.event_id === target.pdu.event_id)?.redactedBy).toBe("$redaction");
    });

    it("answers exactly what the database would while writes are handed over during slow reads", async () => {
      const { fake, cache, write, published } = setUp();
      let seed = 11;
      const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const slowRead = fake.roomEventsBetween.bind(fake);
      // Every database read yields to the event loop a few times, so writes land while reads are in flight.
      fake.roomEventsBetween = async (...args: Parameters<FakeEvents["roomEventsBetween"]>) => {
        const result = await slowRead(...args);
        for (let i = random(4); i > 0; i--) await new Promise((resolve) => setImmediate(resolve));
        return result;
      };
      const checks: Array<Promise<void>> = [];
      for (let step = 0; step < 400; step++) {
        const room = random(4) === 0 ? "!other" : "!room";
        write(room, 1 + random(3), random(5) !== 0);
        const to = published() - random(2);
        const from = Math.max(0, to - random(60));
        const limit = 1 + random(30);
        const expected = await slowRead("!room", from, to, limit);
        checks.push(cache.between("!room", from, to, limit).then((got) => void expect(got).toEqual(expected)));
        if (random(3) === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(checks);
    });
  });
});

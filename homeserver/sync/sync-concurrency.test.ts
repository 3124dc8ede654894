import { describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import type { Requester } from "../users/requester.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import { inlineFilter, newUser, SyncHarness } from "./testing/sync-fixtures.js";

const SENDERS = 20;
const MESSAGES_PER_SENDER = 8;
const SIDE_ROOMS = 3;

interface SyncRecord {
  since: string;
  next: string;
  /** Per room, every event this sync delivered (gaps filled), in delivery order. */
  delivered: Map<string, string[]>;
}

/**
 * A client that follows /sync with `since`, filling limited timelines from prev_batch with /messages as
 * clients do, and remembering what each sync delivered.
 */
class Reader {
  since: string | undefined;
  readonly order = new Map<string, string[]>();
  readonly seen = new Set<string>();
  readonly duplicates: string[] = [];
  readonly records: SyncRecord[] = [];
  limitedSyncs = 0;

  constructor(
    private readonly h: SyncHarness,
    readonly user: Requester,
    private readonly timelineLimit: number,
  ) {}

  async sync(timeoutMs: number): Promise<void> {
    const since = this.since;
    // The first sync takes the whole (short) history, so gap-filling later never reaches unseen older events.
    const limit = since === undefined ? 1000 : this.timelineLimit;
    const response = await this.h.sync(this.user, { since, timeoutMs, filter: inlineFilter({ room: { timeline: { limit } } }) });
    const delivered = new Map<string, string[]>();
    for (const [roomId, room] of Object.entries(response.rooms?.join ?? {})) {
      const ids: string[] = [];
      if (room.timeline.limited && since !== undefined) {
        this.limitedSyncs += 1;
        ids.push(...(await this.gap(roomId, room.timeline.prev_batch!)));
      }
      ids.push(...room.timeline.events.map((e) => e.event_id!));
      for (const id of ids) this.append(roomId, id);
      delivered.set(roomId, ids);
    }
    if (since !== undefined) this.records.push({ since, next: response.next_batch, delivered });
    this.since = response.next_batch;
  }

  /** Events between what we held and a limited timeline, oldest first. */
  private async gap(roomId: string, prevBatch: string): Promise<string[]> {
    const newestFirst: string[] = [];
    let from: string | undefined = prevBatch;
    while (from) {
      const page = await this.h.ctx.roomReads.timeline.messages(this.user, roomId, { dir: "b", from, limit: 7 });
      const fresh = page.chunk.map((e) => e.event_id).filter((id) => !this.seen.has(id));
      newestFirst.push(...fresh);
      if (fresh.length < page.chunk.length) break; // reached what we already had
      from = page.end;
    }
    return newestFirst.reverse();
  }

  private append(roomId: string, eventId: string): void {
    if (this.seen.has(eventId)) this.duplicates.push(eventId);
    this.seen.add(eventId);
    this.order.set(roomId, [...(this.order.get(roomId) ?? []), eventId]);
  }
}

describe.each(testDrivers())("sync under concurrent writers on %s", (driver) => {
  // Presence off: syncers coming online are news for each other, and this file counts timeline deliveries.
  const { app } = useTestApp(driver, { config: { presence: { enabled: false } } });
  const h = new SyncHarness(app);

  it(`${SENDERS} concurrent senders: every reader sees every event exactly once, in one order, and no token skips an event`, async () => {
    const owner = newUser("owner");
    const roomId = await h.createRoom(owner, { name: "busy" });
    const sideRooms = await Promise.all(Array.from({ length: SIDE_ROOMS }, () => h.createRoom(owner)));
    const senders = Array.from({ length: SENDERS }, () => newUser("sender"));
    const readers = [newUser("reader"), newUser("reader"), newUser("reader"), newUser("reader")];
    await Promise.all([...senders, ...readers].map((u) => app.ctx.rooms.service.join(u, roomId)));
    for (const reader of readers) for (const side of sideRooms) await app.ctx.rooms.service.join(reader, side);

    // Short timelines force limited syncs and gap-filling; long ones deliver everything inline.
    const followers = readers.map((user, i) => new Reader(h, user, [3, 5, 1000, 1000][i]));
    await Promise.all(followers.map((f) => f.sync(0)));

    let sentIds: Set<string> | undefined;
    const sending = (async () => {
      const main = senders.map(async (sender, s) => {
        const ids: string[] = [];
        for (let i = 0; i < MESSAGES_PER_SENDER; i++) ids.push(await h.send(sender, roomId, `s${s}-${i}`));
        return ids;
      });
      // Other rooms' writes interleave on the global stream, so commits there finish out of order.
      const side = sideRooms.map(async (side, r) => {
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) ids.push(await h.send(owner, side, `side${r}-${i}`));
        return ids;
      });
      sentIds = new Set((await Promise.all([...main, ...side])).flat());
    })();
    const following = followers.map(async (f) => {
      const deadline = Date.now() + 120_000;
      while (!(sentIds && [...sentIds].every((id) => f.seen.has(id)))) {
        if (Date.now() > deadline) throw new Error(`reader ${f.user.userId} saw ${f.seen.size} events`);
        await f.sync(200);
      }
    });
    await sending;
    await Promise.all(following);

    const history = async (room: string) =>
      (await app.ctx.roomReads.timeline.messages(owner, room, { dir: "f", limit: 1000 })).chunk.map((e) => e.event_id).filter((id) => sentIds!.has(id));
    for (const room of [roomId, ...sideRooms]) {
      const order = await history(room);
      for (const f of followers) {
        expect(f.duplicates, `duplicates for ${f.user.userId}`).toEqual([]);
        expect((f.order.get(room) ?? []).filter((id) => sentIds!.has(id)), `order seen by ${f.user.userId}`).toEqual(order);
      }
    }
    expect((await history(roomId)).length).toBe(SENDERS * MESSAGES_PER_SENDER);
    expect(followers[0].limitedSyncs, "the short-timeline reader filled gaps").toBeGreaterThan(0);

    // Each sync delivered exactly the events /messages holds between its since and next_batch.
    for (const f of followers) {
      for (const record of f.records) {
        for (const room of [roomId, ...sideRooms]) {
          const between = await app.ctx.roomReads.timeline.messages(f.user, room, { dir: "f", from: record.since, to: record.next, limit: 1000 });
          expect(record.delivered.get(room) ?? [], `${f.user.userId} ${record.since} -> ${record.next}`).toEqual(between.chunk.map((e) => e.event_id));
        }
      }
    }
  });

  it.each([
    ["plain", {}],
    ["lazy-loading", { room: { state: { lazy_load_members: true } } }],
  ])("a room with many waiting syncers is read once per wake-up, not once per syncer (%s filter)", async (_name, filterObject) => {
    const filter = inlineFilter(filterObject);
    const owner = newUser("owner");
    const roomId = await h.createRoom(owner, { name: "many waiters" });
    const waiters = Array.from({ length: 50 }, () => newUser("waiter"));
    for (const w of waiters) await app.ctx.rooms.service.join(w, roomId);
    await h.send(owner, roomId, "so that the initial syncs lazy-load the owner");
    const tokens = await Promise.all(waiters.map((w) => h.sync(w, { filter }).then((r: SyncResponse) => r.next_batch)));
    const reads = app.ctx.roomReads;
    // Every store method a woken syncer could reach, counted.
    const { calls, restore } = countCalls([reads.reader.events, reads.timelineStore, reads.currentState, app.ctx.users.accountData]);
    try {
      const polls = waiters.map((w, i) => h.sync(w, { since: tokens[i], timeoutMs: 20_000, filter }));
      await new Promise((r) => setTimeout(r, 100));
      const before = calls.total;
      const eventId = await h.send(owner, roomId, "to everyone");
      const responses = await Promise.all(polls);
      for (const response of responses) expect(response.rooms!.join![roomId].timeline.events.map((e) => e.event_id)).toEqual([eventId]);
      // The send itself reads a little; the 50 wake-ups together must not add a read each.
      expect(calls.total - before, JSON.stringify(calls.byName)).toBeLessThanOrEqual(5);
    } finally {
      restore();
    }
  });
});

/** Wraps every method of `targets` (own and prototype) to count calls; `restore` puts the originals back. */
function countCalls(targets: object[]) {
  const calls = { total: 0, byName: {} as Record<string, number> };
  const undo: Array<() => void> = [];
  for (const target of targets) {
    const record = target as Record<string, unknown>;
    const names = new Set([...Object.getOwnPropertyNames(Object.getPrototypeOf(target)), ...Object.keys(target)]);
    for (const name of names) {
      const original = record[name];
      if (name === "constructor" || typeof original !== "function") continue;
      record[name] = function (this: unknown, ...args: unknown[]) {
        calls.total += 1;
        calls.byName[name] = (calls.byName[name] ?? 0) + 1;
        return (original as (...a: unknown[]) => unknown).apply(target, args);
      };
      undo.push(() => {
        if (Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(target), name)) delete record[name];
        else record[name] = original;
      });
    }
  }
  return { calls, restore: () => undo.forEach((u) => u()) };
}

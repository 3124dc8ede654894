import { describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { inlineFilter, newUser, SyncHarness } from "./testing/sync-fixtures.js";

const ROOMS = 20;
const READERS_PER_ROOM = 10;
const SENDERS = 10;
const MESSAGES_PER_SENDER = 30;

/**
 * The load of a small busy server, as reported on the embedded database: 200 users long-polling across 20 rooms
 * of 10, and 10 senders in every room sending as fast as they are acknowledged. Every reader must get every
 * message of its room exactly once, from long-polls that stay parked until something arrives (a lost wake-up
 * would leave a reader parked for the whole poll, and this test waits for that as long as its own timeout).
 */
describe.each(testDrivers())("deliveries under load on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  it(`${ROOMS * READERS_PER_ROOM} long-polling readers in ${ROOMS} rooms, ${SENDERS} senders: every message reaches every reader of its room once`, async () => {
    const senders = Array.from({ length: SENDERS }, () => newUser("sender"));
    const readers = Array.from({ length: ROOMS * READERS_PER_ROOM }, (_, i) => ({ user: newUser("reader"), room: Math.floor(i / READERS_PER_ROOM) }));
    const rooms = await Promise.all(
      Array.from({ length: ROOMS }, async (_, r) => {
        const roomId = await h.createRoom(senders[0], { name: `room ${r}` });
        const members = [...senders.slice(1), ...readers.filter((reader) => reader.room === r).map((reader) => reader.user)];
        await Promise.all(members.map((user) => app.ctx.rooms.service.join(user, roomId)));
        return roomId;
      }),
    );
    const filter = inlineFilter({ room: { timeline: { limit: 1000 } } });
    const seen = readers.map(() => new Set<string>());
    const duplicates: string[] = [];
    let limited = 0;
    const tokens = await Promise.all(readers.map(async ({ user }) => (await h.sync(user, { filter })).next_batch));
    let stop = false;
    const expected = rooms.map(() => new Set<string>());
    const allSeen = () => readers.every((reader, i) => [...expected[reader.room]].every((id) => seen[i].has(id)));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let sendingDone = false;
    const polls = readers.map(async (reader, i) => {
      while (!stop) {
        const response = await h.sync(reader.user, { since: tokens[i], timeoutMs: 600_000, filter });
        for (const room of Object.values(response.rooms?.join ?? {})) {
          if (room.timeline.limited) limited += 1;
          for (const event of room.timeline.events) {
            if (event.type !== "m.room.message") continue;
            if (seen[i].has(event.event_id!)) duplicates.push(event.event_id!);
            seen[i].add(event.event_id!);
          }
        }
        tokens[i] = response.next_batch;
        if (sendingDone && allSeen()) finish();
      }
    });

    await Promise.all(
      senders.map(async (sender, s) => {
        for (let n = 0; n < MESSAGES_PER_SENDER; n++) {
          const room = (s * 7 + n * 3) % ROOMS;
          expected[room].add(await h.send(sender, rooms[room], `m${s}-${n}`));
        }
      }),
    );
    sendingDone = true;
    if (allSeen()) finish();
    await finished;
    stop = true;
    // Wake the parked polls so they end: one more message into every room.
    for (const roomId of rooms) await h.send(senders[0], roomId, "end");
    await Promise.all(polls);

    expect(duplicates).toEqual([]);
    expect(limited).toBe(0);
    const missing = readers.flatMap((reader, i) => [...expected[reader.room]].filter((id) => !seen[i].has(id)).map((id) => `${reader.user.userId} ${id}`));
    expect(missing).toEqual([]);
  }, 300_000);
});

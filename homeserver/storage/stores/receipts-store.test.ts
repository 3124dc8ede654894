import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { testDrivers } from "../test-databases.js";
import { newUser, SyncHarness } from "../../sync/testing/sync-fixtures.js";
import { ReceiptsStore, UNTHREADED, type ReceiptRow } from "./receipts-store.js";

describe.each(testDrivers())("ReceiptsStore on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);
  let store: ReceiptsStore;
  let roomId: string;
  let events: Array<{ id: string; pos: number }>;
  // Positions are handed out here as the receipts stream would; the store only compares them.
  let position = 1000;

  beforeAll(async () => {
    store = new ReceiptsStore(app.ctx.db);
    const alice = newUser("alice");
    roomId = await h.createRoom(alice);
    events = [];
    for (let i = 0; i < 3; i++) {
      const id = await h.send(alice, roomId, `m${i}`);
      events.push({ id, pos: (await app.ctx.roomReads.reader.events.get(id))!.streamPos });
    }
  });

  const receipt = (userId: string, eventIndex: number, over: Partial<ReceiptRow> = {}): ReceiptRow => ({
    roomId,
    userId,
    receiptType: "m.read",
    threadId: UNTHREADED,
    eventId: events[eventIndex].id,
    data: { ts: 1 },
    streamPos: ++position,
    ...over,
  });
  const write = (row: ReceiptRow, eventPos: number | undefined = events.find((e) => e.id === row.eventId)?.pos) => store.upsert(row, eventPos);
  const rowsOf = async (userId: string) => (await store.inRooms([roomId], undefined, Number.MAX_SAFE_INTEGER)).filter((r) => r.userId === userId);

  it("keeps one row per (room, user, type, thread): a newer receipt replaces the row and takes the new position", async () => {
    const bob = newUser("bob").userId;
    expect(await write(receipt(bob, 0))).toBe(true);
    const second = receipt(bob, 1, { data: { ts: 2 } });
    expect(await write(second)).toBe(true);
    expect(await rowsOf(bob)).toEqual([second]);
  });

  it("keeps types and threads apart", async () => {
    const carol = newUser("carol").userId;
    await write(receipt(carol, 0));
    await write(receipt(carol, 0, { receiptType: "m.read.private" }));
    await write(receipt(carol, 1, { threadId: "main" }));
    await write(receipt(carol, 2, { threadId: events[0].id }));
    const keys = (await rowsOf(carol)).map((r) => `${r.receiptType}/${r.threadId}/${r.eventId}`).sort();
    expect(keys).toEqual(
      [`m.read//${events[0].id}`, `m.read.private//${events[0].id}`, `m.read/main/${events[1].id}`, `m.read/${events[0].id}/${events[2].id}`].sort(),
    );
  });

  it("ignores a receipt for an event at or before the stored one (as Synapse does), so a receipt never moves back", async () => {
    const dave = newUser("dave").userId;
    const latest = receipt(dave, 2);
    await write(latest);
    expect(await write(receipt(dave, 1))).toBe(false);
    expect(await write(receipt(dave, 2, { data: { ts: 99 } }))).toBe(false);
    expect(await rowsOf(dave)).toEqual([latest]);
  });

  it("accepts a receipt for an event it does not hold (from another server) without the event comparison", async () => {
    const erin = newUser("erin").userId;
    await write(receipt(erin, 2));
    const unknown = receipt(erin, 0, { eventId: "$not-here" });
    expect(await write(unknown, undefined)).toBe(true);
    expect(await rowsOf(erin)).toEqual([unknown]);
  });

  it("a write with a smaller stream position than the stored one loses (concurrent writers: the later allocation wins)", async () => {
    const frank = newUser("frank").userId;
    const early = receipt(frank, 1);
    const late = receipt(frank, 0);
    expect(await write(late, undefined)).toBe(true);
    expect(await write(early)).toBe(false);
    expect(await rowsOf(frank)).toEqual([late]);
  });

  it("inRooms returns the window (from, to] in position order, for several rooms", async () => {
    const other = await h.createRoom(newUser("owner"));
    const gina = newUser("gina").userId;
    const start = position;
    const a = receipt(gina, 0);
    const b = receipt(gina, 0, { roomId: other, eventId: "$elsewhere" });
    const c = receipt(gina, 1, { threadId: "main" });
    await write(c);
    await write(b, undefined);
    await write(a);
    const window = await store.inRooms([roomId, other], start, c.streamPos);
    expect(window.map((r) => r.streamPos)).toEqual([a.streamPos, b.streamPos, c.streamPos]);
    expect((await store.inRooms([roomId, other], a.streamPos, b.streamPos)).map((r) => r.roomId)).toEqual([other]);
    expect(await store.inRooms([], undefined, position)).toEqual([]);
  });
});

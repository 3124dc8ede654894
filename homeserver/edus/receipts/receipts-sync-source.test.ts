import { describe, expect, it, vi } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { ReceiptsStore } from "../../storage/stores/receipts-store.js";
import { zeroPositions, type StreamPositions } from "../../streams/sync-token.js";
import { newUser, SyncHarness } from "../../sync/testing/sync-fixtures.js";
import { RecentReceipts } from "./recent-receipts.js";
import { ReceiptsSyncSource } from "./receipts-sync-source.js";

const at = (receipts: number): StreamPositions => ({ ...zeroPositions(), receipts });

describe.each(testDrivers())("ReceiptsSyncSource on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  it("a process restarted since the token reads the window from the database, and gets what the in-memory log gives", async () => {
    const owner = newUser("owner");
    const members = [owner, newUser("m"), newUser("m"), newUser("m")];
    const roomId = await h.createRoom(owner);
    for (const m of members.slice(1)) await app.ctx.rooms.service.join(m, roomId);
    const messages = [await h.send(owner, roomId, "one"), await h.send(owner, roomId, "two")];
    const receipts = app.ctx.edus.receipts;
    const start = app.ctx.streams.receipts.current;
    await receipts.postReceipt(members[1].userId, roomId, "m.read", messages[0], undefined);
    const middle = app.ctx.streams.receipts.current;
    await receipts.postReceipt(members[1].userId, roomId, "m.read", messages[1], undefined);
    await receipts.postReceipt(members[2].userId, roomId, "m.read.private", messages[0], undefined);
    await receipts.postReceipt(members[3].userId, roomId, "m.read", messages[0], "main");
    const to = app.ctx.streams.receipts.current;

    const store = new ReceiptsStore(app.ctx.db);
    const live = new RecentReceipts(0);
    const restarted = new ReceiptsSyncSource(store, new RecentReceipts(to));
    for (const row of await store.inRooms([roomId], undefined, to)) live.record(row);
    const fromMemory = new ReceiptsSyncSource(store, live);
    const reads = vi.spyOn(store, "inRooms");
    for (const since of [start, middle]) {
      for (const viewer of [members[0].userId, members[2].userId]) {
        const window = { userId: viewer, since: at(since), to: at(to) };
        reads.mockClear();
        const memory = await fromMemory.forRooms(window, [roomId]);
        expect(reads).not.toHaveBeenCalled();
        expect(await restarted.forRooms(window, [roomId])).toEqual(memory);
        expect(reads).toHaveBeenCalledTimes(1);
      }
    }
    const mine = await fromMemory.forRooms({ userId: members[2].userId, since: at(middle), to: at(to) }, [roomId]);
    expect(mine.get(roomId)![0].content).toEqual({
      [messages[1]]: { "m.read": { [members[1].userId]: { ts: expect.any(Number) } } },
      [messages[0]]: {
        "m.read.private": { [members[2].userId]: { ts: expect.any(Number) } },
        "m.read": { [members[3].userId]: { ts: expect.any(Number), thread_id: "main" } },
      },
    });
    expect(await restarted.forRooms({ userId: owner.userId, since: at(to), to: at(to) }, [roomId])).toEqual(new Map());
  });
});

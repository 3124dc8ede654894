import { randomBytes } from "node:crypto";
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import type { Tx } from "../database.js";
import { DeviceStore } from "./device-store.js";
import { ToDeviceStore, type ToDeviceRow } from "./to-device-store.js";

const newUserId = () => `@td-${randomBytes(5).toString("hex")}:test.local`;

/** Counts the statements sent through a transaction, so a test can say how many round trips a write takes. */
function countingStatements(tx: Tx): { tx: Tx; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { tx: tx.withPlugin(plugin), count: () => n };
}

describe.each(testDrivers())("ToDeviceStore on %s", (driver) => {
  let test: TestDatabase;
  let store: ToDeviceStore;
  let devices: DeviceStore;
  let nextPos = 1;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    store = new ToDeviceStore(test.database.db);
    devices = new DeviceStore(test.database.db);
  });
  afterAll(() => test.dispose());

  const addDevices = (userId: string, ids: readonly string[]) =>
    test.database.transaction(async (tx) => {
      for (const deviceId of ids) await devices.ensure(tx, { userId, deviceId, displayName: null, ts: 1, ip: null });
    });
  const row = (userId: string, deviceId: string, over: Partial<ToDeviceRow> = {}): ToDeviceRow => ({
    userId,
    deviceId,
    streamPos: nextPos++,
    sender: "@sender:test.local",
    type: "m.test",
    content: { to: deviceId },
    messageId: randomBytes(8).toString("hex"),
    ...over,
  });

  it("queues messages for 1,000 devices in one statement, raising the high-water mark in it when asked", async () => {
    const userId = newUserId();
    const ids = Array.from({ length: 1_000 }, (_, i) => `D${String(i).padStart(4, "0")}`);
    await addDevices(userId, ids);
    const rows = ids.map((deviceId) => row(userId, deviceId));
    const highest = rows[rows.length - 1].streamPos;
    let statements = 0;
    await test.database.transaction(async (tx) => {
      const counted = countingStatements(tx);
      await store.insert(counted.tx, rows, highest + 1_000);
      statements = counted.count();
    });
    expect(statements).toBe(1);
    expect(await store.highWater()).toBe(highest + 1_000);
    expect(await store.countPending(userId, "D0000")).toBe(1);
    expect(await store.countPending(userId, "D0999")).toBe(1);
    const read = await store.acknowledgeAndRead(userId, "D0500", { after: 0, upTo: highest, limit: 100 });
    expect(read).toEqual([{ streamPos: rows[500].streamPos, sender: "@sender:test.local", type: "m.test", content: '{"to":"D0500"}' }]);
  });

  it("resolves addressees to existing devices in one statement: * to every device by id, unknown ones left out", async () => {
    const alice = newUserId();
    const bob = newUserId();
    await addDevices(alice, ["B", "A", "C"]);
    await addDevices(bob, ["X"]);
    let statements = 0;
    const found = await test.database.transaction(async (tx) => {
      const counted = countingStatements(tx);
      const result = await store.existingDevices(counted.tx, [
        { userId: bob, deviceId: "X" },
        { userId: alice, deviceId: "*" },
        { userId: bob, deviceId: "NOPE" },
        { userId: newUserId(), deviceId: "*" },
      ]);
      statements = counted.count();
      return result;
    });
    expect(statements).toBe(1);
    expect(found).toEqual([
      { target: 0, userId: bob, deviceId: "X" },
      { target: 1, userId: alice, deviceId: "A" },
      { target: 1, userId: alice, deviceId: "B" },
      { target: 1, userId: alice, deviceId: "C" },
    ]);
  });

  it("never lowers the high-water mark when a lower position commits after a higher one", async () => {
    const userId = newUserId();
    await addDevices(userId, ["D"]);
    // Above the mark earlier tests raised.
    nextPos = Math.max(nextPos, (await store.highWater()) + 1);
    const high = row(userId, "D", { streamPos: nextPos + 10 });
    const low = row(userId, "D", { streamPos: nextPos + 5 });
    nextPos += 11;
    await test.database.transaction((tx) => store.insert(tx, [high], high.streamPos));
    await test.database.transaction((tx) => store.insert(tx, [low], low.streamPos));
    expect(await store.highWater()).toBe(high.streamPos);
    // Without a mark to raise, the statement leaves it alone.
    await test.database.transaction((tx) => store.insert(tx, [row(userId, "D", { streamPos: nextPos + 100 })]));
    nextPos += 101;
    expect(await store.highWater()).toBe(high.streamPos);
  });

  it("records a request id once per user, device, type and txn id", async () => {
    const userId = newUserId();
    const txn = { userId, deviceId: "D", eventType: "m.test", txnId: "t1" };
    expect(await test.database.transaction((tx) => store.recordTxn(tx, txn, 1))).toBe(true);
    expect(await test.database.transaction((tx) => store.recordTxn(tx, txn, 2))).toBe(false);
    expect(await test.database.transaction((tx) => store.recordTxn(tx, { ...txn, deviceId: "E" }, 3))).toBe(true);
    expect(await test.database.transaction((tx) => store.recordTxn(tx, { ...txn, eventType: "m.other" }, 4))).toBe(true);
    expect(await test.database.transaction((tx) => store.recordTxn(tx, { ...txn, txnId: "t2" }, 5))).toBe(true);
  });

  it("reads oldest first within (after, upTo] up to the limit, and deletes what was acknowledged", async () => {
    const userId = newUserId();
    await addDevices(userId, ["D", "OTHER"]);
    const rows = Array.from({ length: 5 }, () => row(userId, "D"));
    const other = row(userId, "OTHER");
    await test.database.transaction((tx) => store.insert(tx, [...rows, other]));
    const positions = (read: { streamPos: number }[]) => read.map((r) => r.streamPos);
    const p = rows.map((r) => r.streamPos);
    expect(positions(await store.acknowledgeAndRead(userId, "D", { after: 0, upTo: p[3], limit: 2 }))).toEqual([p[0], p[1]]);
    expect(positions(await store.acknowledgeAndRead(userId, "D", { acknowledged: p[1], after: p[1], upTo: p[4], limit: 100 }))).toEqual([p[2], p[3], p[4]]);
    expect(await store.countPending(userId, "D")).toBe(3);
    expect(await store.countPending(userId, "OTHER")).toBe(1);
    expect(await store.acknowledgeAndRead(userId, "D", { acknowledged: p[4], after: p[4], upTo: p[4], limit: 100 })).toEqual([]);
    expect(await store.countPending(userId, "D")).toBe(0);
    expect(await store.countPending(userId, "OTHER")).toBe(1);
  });

  it("a deleted device takes its queue with it", async () => {
    const userId = newUserId();
    await addDevices(userId, ["GONE", "STAYS"]);
    await test.database.transaction((tx) => store.insert(tx, [row(userId, "GONE"), row(userId, "GONE"), row(userId, "STAYS")]));
    await test.database.transaction((tx) => devices.delete(tx, userId, ["GONE"]));
    expect(await store.countPending(userId, "GONE")).toBe(0);
    expect(await store.countPending(userId, "STAYS")).toBe(1);
  });
});

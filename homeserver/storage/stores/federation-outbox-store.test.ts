import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, testDrivers, type TestDatabase } from "../test-databases.js";
import { DeviceStore } from "./device-store.js";
import { E2eKeysStore } from "./e2e-keys-store.js";
import { FederationOutboxStore } from "./federation-outbox-store.js";

const OURS = "ours.test";
const tag = () => randomBytes(4).toString("hex");

describe.each(testDrivers())("FederationOutboxStore on %s", (driver) => {
  let test: TestDatabase;
  let store: FederationOutboxStore;
  let devices: DeviceStore;
  let keys: E2eKeysStore;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
    store = new FederationOutboxStore(test.database.db);
    devices = new DeviceStore(test.database.db);
    keys = new E2eKeysStore(test.database.db);
  });
  afterAll(() => test.dispose());

  const join = (roomId: string, userId: string, membership = "join") =>
    sql`INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_pos)
        VALUES (${roomId}, 'm.room.member', ${userId}, ${`$${tag()}`}, ${membership}, 1)`.execute(test.database.db);

  it("keeps each destination's EDUs in the order queued, in one statement, until they are deleted", async () => {
    const [one, two] = [`one-${tag()}.test`, `two-${tag()}.test`];
    await test.database.transaction((tx) =>
      store.enqueue(
        tx,
        [0, 1, 2, 3].map((n) => ({ destination: n % 2 === 0 ? one : two, eduType: "m.direct_to_device", content: JSON.stringify({ n }) })),
        1,
      ),
    );
    const pending = await store.pending(one, 10);
    expect(pending.map((p) => JSON.parse(p.content))).toEqual([{ n: 0 }, { n: 2 }]);
    expect((await store.pending(two, 1)).map((p) => JSON.parse(p.content))).toEqual([{ n: 1 }]);
    expect(await store.destinationsWithPending()).toEqual(expect.arrayContaining([one, two]));
    await store.delete(one, [pending[0].streamId]);
    expect((await store.pending(one, 10)).map((p) => JSON.parse(p.content))).toEqual([{ n: 2 }]);
    // A rolled-back write leaves nothing behind.
    await expect(
      test.database.transaction(async (tx) => {
        await store.enqueue(tx, [{ destination: one, eduType: "m.x", content: "{}" }], 1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await store.countPending(one)).toBe(1);
    expect(await store.countPending(two)).toBe(2);
  });

  it("hands out device list stream ids per user, each after the last, however many writers at once", async () => {
    const [alice, bob] = [`@alice-${tag()}:${OURS}`, `@bob-${tag()}:${OURS}`];
    expect(await test.database.transaction((tx) => store.nextDeviceListStreamIds(tx, alice, 2))).toEqual({ previous: 0, ids: [1, 2] });
    expect(await test.database.transaction((tx) => store.nextDeviceListStreamIds(tx, bob, 1))).toEqual({ previous: 0, ids: [1] });
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => test.database.transaction((tx) => store.nextDeviceListStreamIds(tx, alice, 1))));
    const ids = concurrent.flatMap((c) => c.ids).sort((x, y) => x - y);
    expect(ids).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    for (const { previous, ids: [id] } of concurrent) expect(previous).toBe(id - 1);
  });

  it("describes a user's devices as they stand, deleted ones included, and answers GET /user/devices in one read", async () => {
    const alice = `@alice-${tag()}:${OURS}`;
    await test.database.transaction(async (tx) => {
      for (const deviceId of ["KEYED", "BARE"]) await devices.ensure(tx, { userId: alice, deviceId, displayName: `${deviceId} phone`, ts: 1, ip: null });
      await keys.putDeviceKeys(tx, alice, "KEYED", JSON.stringify({ device_id: "KEYED" }), 1);
      await store.nextDeviceListStreamIds(tx, alice, 3);
    });
    const snapshots = await store.deviceSnapshots(test.database.db, alice, ["KEYED", "GONE", "BARE"]);
    expect(snapshots).toEqual([
      { deviceId: "BARE", exists: true, keyJson: null, displayName: "BARE phone" },
      { deviceId: "GONE", exists: false, keyJson: null, displayName: null },
      { deviceId: "KEYED", exists: true, keyJson: JSON.stringify({ device_id: "KEYED" }), displayName: "KEYED phone" },
    ]);
    expect((await store.deviceSnapshots(test.database.db, alice, undefined)).map((d) => d.deviceId)).toEqual(["BARE", "KEYED"]);
    expect(await store.userDevices(alice)).toEqual({ streamId: 3, devices: [{ deviceId: "KEYED", keyJson: JSON.stringify({ device_id: "KEYED" }), displayName: "KEYED phone" }] });
    expect(await store.userDevices(`@nobody-${tag()}:${OURS}`)).toEqual({ streamId: 0, devices: [] });
  });

  it("finds the servers sharing a joined room with a user, and whether a remote user shares one with ours", async () => {
    const [room, other] = [`!r-${tag()}:${OURS}`, `!o-${tag()}:${OURS}`];
    const alice = `@alice-${tag()}:${OURS}`;
    const remote = `@remote-${tag()}:far.test:8448`;
    await join(room, alice);
    await join(room, `@x-${tag()}:far.test:8448`);
    await join(room, `@y-${tag()}:near.test`);
    await join(room, `@z-${tag()}:left.test`, "leave");
    await join(other, remote);
    expect(await store.serversSharingRoomsWith(test.database.db, alice, OURS)).toEqual(["far.test:8448", "near.test"]);
    expect(await store.sharesRoomWithLocalUser(remote, OURS)).toBe(false);
    await join(other, `@b-${tag()}:${OURS}`);
    expect(await store.sharesRoomWithLocalUser(remote, OURS)).toBe(true);
  });

  it("records each inbound to-device message id once, keeps remote positions, and prunes what is old", async () => {
    const origin = `o-${tag()}.test`;
    const first = await test.database.transaction((tx) => store.firstDelivery(tx, origin, "m1", 1_000));
    const again = await test.database.transaction((tx) => store.firstDelivery(tx, origin, "m1", 2_000));
    expect([first, again]).toEqual([true, false]);
    await test.database.transaction((tx) => store.firstDelivery(tx, origin, "m2", 5_000));

    const remote = `@r-${tag()}:${origin}`;
    expect(await store.remoteDeviceListPosition(remote)).toBeUndefined();
    await test.database.transaction((tx) => store.setRemoteDeviceListPosition(tx, remote, 7, 1));
    await test.database.transaction((tx) => store.setRemoteDeviceListPosition(tx, remote, 3, 2));
    expect(await store.remoteDeviceListPosition(remote)).toBe(3);

    await sql`INSERT INTO to_device_txns (user_id, device_id, event_type, txn_id, created_ts) VALUES
      (${`@s-${tag()}:${OURS}`}, 'D', 'm.x', 'old', 1000), (${`@s-${tag()}:${OURS}`}, 'D', 'm.x', 'new', 9000)`.execute(test.database.db);
    const pruned = await store.prune({ inboundBefore: 2_000, toDeviceTxnsBefore: 2_000 });
    expect(pruned.inbound).toBeGreaterThanOrEqual(1);
    expect(pruned.toDeviceTxns).toBeGreaterThanOrEqual(1);
    // m1 is forgotten (as after a week), m2 is still known.
    expect(await test.database.transaction((tx) => store.firstDelivery(tx, origin, "m2", 6_000))).toBe(false);
    expect(await test.database.transaction((tx) => store.firstDelivery(tx, origin, "m1", 6_000))).toBe(true);
    const { rows } = await sql<{ txn_id: string }>`SELECT txn_id FROM to_device_txns WHERE created_ts < 2000`.execute(test.database.db);
    expect(rows).toEqual([]);
    const { rows: kept } = await sql<{ txn_id: string }>`SELECT txn_id FROM to_device_txns WHERE txn_id = 'new'`.execute(test.database.db);
    expect(kept.length).toBeGreaterThan(0);
  });
});

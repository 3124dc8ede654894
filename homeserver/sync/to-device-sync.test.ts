import { describe, expect, it, vi } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { parseSyncToken } from "../streams/sync-token.js";
import type { Requester } from "../users/requester.js";
import { requesterFor } from "../users/testing/requesters.js";
import type { ToDeviceMessages } from "../users/to-device/to-device-service.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import type { SyncOptions } from "./sync-service.js";
import { newUser, SyncHarness, timelineIds } from "./testing/sync-fixtures.js";

let txnCounter = 0;

describe.each(testDrivers())("to-device messages in sync on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  /** A user with stored devices (to-device messages go to devices that exist), as requesters of each device. */
  async function userWithDevices(name: string, ...deviceIds: string[]): Promise<Requester[]> {
    const { userId } = newUser(name);
    const ids = deviceIds.length > 0 ? deviceIds : ["DEVICE"];
    await app.ctx.database.transaction(async (tx) => {
      for (const deviceId of ids) await app.ctx.stores.devices.ensure(tx, { userId, deviceId, displayName: null, ts: 1, ip: null });
    });
    return ids.map((deviceId) => requesterFor(userId, deviceId));
  }
  const send = (from: Requester, messages: ToDeviceMessages, type = "m.test", txnId = `txn-${++txnCounter}`) =>
    app.ctx.users.toDevice.send(from, type, txnId, messages);
  // Presence left alone, so that syncs do not move the presence stream (shared responses compare tokens).
  const sync = (user: Requester, options: SyncOptions = {}) => h.sync(user, { setPresence: "offline", ...options });
  const toDevice = (response: SyncResponse) => (response.to_device?.events ?? []) as Array<{ sender: string; type: string; content: Record<string, unknown> }>;
  const pending = (user: Requester) => app.ctx.stores.toDevice.countPending(user.userId, user.deviceId);

  it("a message reaches the device's next sync once; syncing on with the new token acknowledges and deletes it", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    const start = await sync(bob);
    expect(toDevice(start)).toEqual([]);
    await send(alice, { [bob.userId]: { [bob.deviceId]: { key: "k1" } } }, "m.room_key");

    const first = await sync(bob, { since: start.next_batch });
    expect(toDevice(first)).toEqual([{ sender: alice.userId, type: "m.room_key", content: { key: "k1" } }]);
    // Not acknowledged yet: the client has not synced with a token past it.
    expect(await pending(bob)).toBe(1);
    // A retry of the same request (the response was lost) gets it again.
    expect(toDevice(await sync(bob, { since: start.next_batch }))).toHaveLength(1);

    const second = await sync(bob, { since: first.next_batch });
    expect(toDevice(second)).toEqual([]);
    expect(await pending(bob)).toBe(0);
    expect(toDevice(await sync(bob, { since: second.next_batch }))).toEqual([]);
  });

  it("an initial sync delivers what is pending and deletes nothing", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    await send(alice, { [bob.userId]: { [bob.deviceId]: { n: 1 } } });
    expect(toDevice(await sync(bob))).toEqual([{ sender: alice.userId, type: "m.test", content: { n: 1 } }]);
    expect(toDevice(await sync(bob))).toHaveLength(1);
    expect(await pending(bob)).toBe(1);
  });

  it("`*` reaches every device of the user, each once", async () => {
    const [alice] = await userWithDevices("alice");
    const devices = await userWithDevices("bob", "PHONE", "LAPTOP", "TABLET");
    const tokens = await Promise.all(devices.map((d) => sync(d)));
    await send(alice, { [devices[0].userId]: { "*": { hello: "all" } } });
    for (const [i, device] of devices.entries()) {
      const got = await sync(device, { since: tokens[i].next_batch });
      expect(toDevice(got)).toEqual([{ sender: alice.userId, type: "m.test", content: { hello: "all" } }]);
      expect(toDevice(await sync(device, { since: got.next_batch }))).toEqual([]);
    }
  });

  it("a message for one device does not reach the user's other devices", async () => {
    const [alice] = await userWithDevices("alice");
    const [phone, laptop] = await userWithDevices("bob", "PHONE", "LAPTOP");
    const phoneStart = await sync(phone);
    const laptopStart = await sync(laptop);
    await send(alice, { [phone.userId]: { PHONE: { only: "phone" } } });
    expect(toDevice(await sync(laptop, { since: laptopStart.next_batch }))).toEqual([]);
    expect(toDevice(await sync(phone, { since: phoneStart.next_batch }))).toEqual([{ sender: alice.userId, type: "m.test", content: { only: "phone" } }]);
    expect(await pending(laptop)).toBe(0);
  });

  it("a retried txnId queues nothing: the device gets the message once", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    const start = await sync(bob);
    const messages = { [bob.userId]: { [bob.deviceId]: { n: 1 } } };
    await send(alice, messages, "m.test", "retried");
    const before = app.ctx.streams.toDevice.current;
    await send(alice, messages, "m.test", "retried");
    expect(app.ctx.streams.toDevice.current).toBe(before);
    expect(await pending(bob)).toBe(1);
    expect(toDevice(await sync(bob, { since: start.next_batch }))).toHaveLength(1);
  });

  it("concurrent senders and a syncing device: every message arrives once, and concurrent retries queue one", async () => {
    const senders = await Promise.all(Array.from({ length: 10 }, (_, i) => userWithDevices(`sender${i}`).then(([d]) => d)));
    const [bob] = await userWithDevices("bob");
    let since = (await sync(bob)).next_batch;
    const received: unknown[] = [];
    const drain = async () => {
      const response = await sync(bob, { since });
      received.push(...toDevice(response).map((e) => e.content.id));
      since = response.next_batch;
    };
    const sends = senders.flatMap((sender, i) =>
      [0, 1, 2].map((j) => {
        const txnId = `concurrent-${i}-${j % 2}`; // j = 0 and j = 2 are the same request, sent twice at once
        return send(sender, { [bob.userId]: { [bob.deviceId]: { id: `${i}-${j % 2}` } } }, "m.test", txnId);
      }),
    );
    const syncing = (async () => {
      for (let k = 0; k < 5; k++) await drain();
    })();
    await Promise.all([...sends, syncing]);
    await drain();
    await drain();
    const expected = senders.flatMap((_, i) => [`${i}-0`, `${i}-1`]);
    expect([...received].sort()).toEqual([...expected].sort());
    expect(await pending(bob)).toBe(0);
  });

  it("a long-poll waiting for the recipient wakes as soon as a message for its device is published", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    const start = await sync(bob);
    const began = Date.now();
    const polling = sync(bob, { since: start.next_batch, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    await send(alice, { [bob.userId]: { [bob.deviceId]: { wake: true } } });
    const woken = await polling;
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(toDevice(woken)).toEqual([{ sender: alice.userId, type: "m.test", content: { wake: true } }]);
  });

  it("a long-poll of another device of the recipient is woken but keeps waiting: nothing is for it", async () => {
    const [alice] = await userWithDevices("alice");
    const [phone, laptop] = await userWithDevices("bob", "PHONE", "LAPTOP");
    const start = await sync(laptop);
    const polling = sync(laptop, { since: start.next_batch, timeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 50));
    await send(alice, { [phone.userId]: { PHONE: { n: 1 } } });
    const response = await polling;
    expect(toDevice(response)).toEqual([]);
  });

  it("more than 100 pending come 100 a response, in order, over several syncs, none lost or repeated", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    const start = await sync(bob);
    const total = 250;
    for (let n = 0; n < total; n++) await send(alice, { [bob.userId]: { [bob.deviceId]: { n } } });
    // A later message for someone else: the held-back token must not jump to it either.
    const [carol] = await userWithDevices("carol");
    await send(alice, { [carol.userId]: { [carol.deviceId]: { other: true } } });

    const received: unknown[] = [];
    let since = start.next_batch;
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await sync(bob, { since });
      sizes.push(toDevice(response).length);
      received.push(...toDevice(response).map((e) => e.content.n));
      since = response.next_batch;
    }
    expect(sizes).toEqual([100, 100, 50, 0, 0, 0]);
    expect(received).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(await pending(bob)).toBe(0);
    // Once the queue is drained, the token catches up with the stream.
    expect(parseSyncToken(since)!.toDevice).toBe(app.ctx.streams.toDevice.current);
  });

  it("an initial sync with more than 100 pending holds its token back too", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    for (let n = 0; n < 120; n++) await send(alice, { [bob.userId]: { [bob.deviceId]: { n } } });
    const initial = await sync(bob);
    expect(toDevice(initial).map((e) => e.content.n)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(parseSyncToken(initial.next_batch)!.toDevice).toBeLessThan(app.ctx.streams.toDevice.current);
    const rest = await sync(bob, { since: initial.next_batch });
    expect(toDevice(rest).map((e) => e.content.n)).toEqual(Array.from({ length: 20 }, (_, n) => 100 + n));
  });

  it("syncs of users without new messages read no queue", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    const [carol] = await userWithDevices("carol");
    const carolStart = await sync(carol);
    const deliver = vi.spyOn(app.ctx.users.toDevice, "deliver");
    try {
      await send(alice, { [bob.userId]: { [bob.deviceId]: { n: 1 } } });
      const response = await sync(carol, { since: carolStart.next_batch });
      expect(toDevice(response)).toEqual([]);
      expect(deliver).not.toHaveBeenCalled();
      await sync(bob);
      expect(deliver).toHaveBeenCalledTimes(1);
    } finally {
      deliver.mockRestore();
    }
  });

  it("a room message woken for two members is not shared with the one who also has a to-device message", async () => {
    const [alice] = await userWithDevices("alice");
    const [bob] = await userWithDevices("bob");
    const [carol] = await userWithDevices("carol");
    const roomId = await h.createRoom(alice);
    await app.ctx.rooms.service.join(bob, roomId);
    await app.ctx.rooms.service.join(carol, roomId);
    await send(alice, { [bob.userId]: { [bob.deviceId]: { secret: 1 } } });
    // Bob's queue acknowledged up to here, so both tokens are the same and the room message is their only news.
    const bobToken = (await sync(bob)).next_batch;
    const carolToken = (await sync(carol)).next_batch;
    expect(bobToken).toBe(carolToken);
    await send(alice, { [bob.userId]: { [bob.deviceId]: { secret: 2 } } });
    const sent = await h.send(alice, roomId, "hello both");

    const [forCarol, forBob] = await Promise.all([sync(carol, { since: carolToken }), sync(bob, { since: bobToken })]);
    expect(timelineIds(forCarol, roomId)).toEqual([sent]);
    expect(timelineIds(forBob, roomId)).toEqual([sent]);
    expect(toDevice(forCarol)).toEqual([]);
    expect(toDevice(forBob).map((e) => e.content)).toEqual([{ secret: 2 }]);
  });
  it("deletes only what the client acknowledged when that is behind since (the sync WebSocket), so a reconnect gets it again", async () => {
    const [alice] = await userWithDevices("alice-ack");
    const [bob] = await userWithDevices("bob-ack");
    const start = await sync(alice);
    await send(bob, { [alice.userId]: { [alice.deviceId]: { n: 1 } } });
    const first = await sync(alice, { since: start.next_batch, acknowledged: start.next_batch });
    expect(toDevice(first).map((e) => e.content.n)).toEqual([1]);
    // The socket builds on from the pushed token while the client has not acked it: nothing is deleted.
    const onward = await sync(alice, { since: first.next_batch, acknowledged: start.next_batch });
    expect(toDevice(onward)).toEqual([]);
    expect(await pending(alice)).toBe(1);
    // The connection drops; the client reconnects with its last acknowledged token and gets the message again.
    const again = await sync(alice, { since: start.next_batch });
    expect(toDevice(again).map((e) => e.content.n)).toEqual([1]);
    await sync(alice, { since: again.next_batch });
    expect(await pending(alice)).toBe(0);
  });
});

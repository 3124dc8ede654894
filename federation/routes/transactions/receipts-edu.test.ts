import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";
import { call, federationPath, newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

type Receipts = Record<string, Record<string, Record<string, { ts?: number; thread_id?: string }>>>;

/** Polls until `probe` gives a value; the federation sender works in the background. Bounded in time. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Receipts of `roomId` in one sync response, merged over its m.receipt events. */
function receiptsIn(response: SyncResponse, roomId: string): Receipts {
  const merged: Receipts = {};
  for (const event of response.rooms?.join?.[roomId]?.ephemeral.events ?? []) {
    if (event.type === "m.receipt") Object.assign(merged, event.content);
  }
  return merged;
}

/**
 * m.receipt between two Myelins: a local public receipt goes to the room's other servers as an EDU and shows
 * in their members' sync; a private one never leaves; an EDU about users of another server than its origin,
 * or about users not joined to the room, is refused without disturbing the rest of the transaction.
 */
describe.each(testDrivers())("m.receipt EDUs between two servers (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;
  let bob: Requester;
  let roomId: string;
  let txn = 0;

  const say = async (peer: Peer, who: Requester, body: string, extra: Record<string, unknown> = {}) => {
    const eventId = await peer.app.ctx.rooms.service.sendMessage(who, roomId, "m.room.message", { msgtype: "m.text", body, ...extra }, `${body}-${++txn}`);
    const other = peer === a ? b : a;
    await eventually(async () => ((await other.app.ctx.stores.events.get(eventId)) ? true : undefined), `${eventId} on the other server`);
    return eventId;
  };
  /** `viewer`'s receipts in a fresh initial sync on `peer`. */
  const receiptsSeen = async (peer: Peer, viewer: Requester) => receiptsIn(await peer.app.ctx.sync.sync(viewer, {}), roomId);
  const storedReceipts = (peer: Peer, userId: string) => peer.app.ctx.db.selectFrom("receipts").selectAll().where("user_id", "=", userId).execute();

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver, { federationSender: true }), startPeer(driver, { federationSender: true })]);
    alice = await newUser(a, "alice");
    bob = await newUser(b, "bob");
    roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
    await eventually(async () => ((await a.app.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(bob.userId) === "join" ? true : undefined), "bob's join on a");
  });
  afterAll(() => stopPeers(a, b));

  it("a receipt on one server reaches the other server's sync, both ways, with its thread", async () => {
    const message = await say(a, alice, "read by bob");
    await b.app.ctx.edus.receipts.postReceipt(bob.userId, roomId, "m.read", message, undefined);
    const onA = await eventually(async () => (await receiptsSeen(a, alice))[message]?.["m.read"]?.[bob.userId], "bob's receipt in alice's sync");
    expect(typeof onA.ts).toBe("number");

    const root = await say(b, bob, "thread root");
    const reply = await say(b, bob, "reply", { "m.relates_to": { rel_type: "m.thread", event_id: root } });
    await a.app.ctx.edus.receipts.postReceipt(alice.userId, roomId, "m.read", reply, root);
    const onB = await eventually(async () => (await receiptsSeen(b, bob))[reply]?.["m.read"]?.[alice.userId], "alice's threaded receipt in bob's sync");
    expect(onB.thread_id).toBe(root);
  });

  it("a private receipt never leaves its server", async () => {
    const outbox = vi.spyOn(b.app.ctx.edus.outbox, "sendEdu");
    try {
      const first = await say(a, alice, "private");
      const second = await say(a, alice, "public after");
      await b.app.ctx.edus.receipts.postReceipt(bob.userId, roomId, "m.read.private", first, undefined);
      await b.app.ctx.edus.receipts.postReceipt(bob.userId, roomId, "m.read", second, undefined);
      // The public receipt that followed has arrived, so the private one would have too.
      await eventually(async () => (await receiptsSeen(a, alice))[second]?.["m.read"]?.[bob.userId], "bob's public receipt on a");
      expect(JSON.stringify(outbox.mock.calls)).not.toContain("m.read.private");
      expect(outbox.mock.calls.some(([, edu]) => JSON.stringify(edu).includes(first))).toBe(false);
      expect((await storedReceipts(a, bob.userId)).map((r) => r.receipt_type)).not.toContain("m.read.private");
      expect(JSON.stringify(await a.app.ctx.sync.sync(alice, {}))).not.toContain("m.read.private");
    } finally {
      outbox.mockRestore();
    }
  });

  it("refuses receipts for users of another server than the origin, and for users not joined, but stores the valid ones", async () => {
    const message = await say(a, alice, "forged");
    const stranger = await newUser(a, "stranger");
    const edu = {
      edu_type: "m.receipt",
      content: {
        [roomId]: {
          "m.read": {
            [bob.userId]: { event_ids: [message], data: { ts: 1 } },
            [alice.userId]: { event_ids: [message], data: { ts: 2 } },
            [stranger.userId]: { event_ids: [message], data: { ts: 3 } },
          },
        },
        "!unknown:elsewhere": { "m.read": { [alice.userId]: { event_ids: [message], data: { ts: 4 } } } },
      },
    };
    const before = await storedReceipts(b, bob.userId);
    const answer = await call(a, b, "PUT", federationPath`/_matrix/federation/v1/send/${`receipts-${++txn}`}`, {
      origin: a.name,
      origin_server_ts: Date.now(),
      pdus: [],
      edus: [edu, { edu_type: "m.receipt", content: { [roomId]: { "m.read": { [alice.userId]: "not an object" } } } }],
    });
    expect(answer.status).toBe(200);
    expect(await storedReceipts(b, bob.userId)).toEqual(before);
    expect(await storedReceipts(b, stranger.userId)).toEqual([]);
    const fromAlice = await storedReceipts(b, alice.userId);
    expect(fromAlice.find((r) => r.event_id === message)).toMatchObject({ room_id: roomId, receipt_type: "m.read", thread_id: "" });
    expect(fromAlice.every((r) => r.room_id === roomId)).toBe(true);
    expect((await receiptsSeen(b, bob))[message]?.["m.read"]?.[alice.userId]).toEqual({ ts: 2 });
  });
});

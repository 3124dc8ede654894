import { requesterFor } from "../users/testing/requesters.js";
import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../app/test-app.js";
import { useTestApp } from "../app/testing/use-test-app.js";
import { MessageAppendStore } from "../storage/stores/message-append-store.js";
import { TxnStore } from "../storage/stores/txn-store.js";
import { TxnIdMemory, txnKey } from "./txn-id-memory.js";
import { txnScopes } from "./txn-scopes.js";
import type { IdentifiedPdu } from "../events/pdu.js";

describe.each(testDrivers())("transaction ids and the one-statement message write on %s", (driver) => {
  const { app } = useTestApp(driver);
  let roomId: string;
  const alice = requesterFor("@alice:test.local", "ALICE");
  beforeAll(async () => {
    await app.ctx.users.accounts.createAccount({ localpart: "alice", password: null });
    roomId = await app.ctx.rooms.service.createRoom(alice, {});
  });
  const scope = () => txnScopes.send(roomId, "m.room.message");

  it("a retried txnId returns the first event, also from a fresh memory (as after a restart)", async () => {
    const first = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "one" }, "txn-a");
    const again = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "one" }, "txn-a");
    expect(again).toBe(first);
    const fresh = new TxnIdMemory(new TxnStore(app.ctx.db));
    const found = await fresh.lookup([{ userId: alice.userId, deviceId: alice.deviceId, scope: scope(), txnId: "txn-a" }]);
    expect(found.get(txnKey(alice.userId, alice.deviceId, scope(), "txn-a"))).toBe(first);
  });

  it("a device with more ids than fit in memory still finds its evicted ones in the database", async () => {
    const store = new TxnStore(app.ctx.db);
    const small = new TxnIdMemory(store, 2);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: `m${i}` }, `evict-${i}`));
    // Loaded now: holds the 2 newest of many ids, so it knows it is incomplete.
    const found = await small.lookup(ids.map((_, i) => ({ userId: alice.userId, deviceId: alice.deviceId, scope: scope(), txnId: `evict-${i}` })));
    expect(ids.map((_, i) => found.get(txnKey(alice.userId, alice.deviceId, scope(), `evict-${i}`)))).toEqual(ids);
    const none = await small.lookup([{ userId: alice.userId, deviceId: alice.deviceId, scope: scope(), txnId: "never-used" }]);
    expect(none.size).toBe(0);
  });

  it("the message write is all or nothing: with no room row it writes no event, txn id or extremity", async () => {
    const store = new MessageAppendStore(app.ctx.db);
    const pdu = { event_id: "$ghost", type: "m.room.message", sender: alice.userId, depth: 1, origin_server_ts: 1, content: {} } as unknown as IdentifiedPdu;
    const ghostRoom = "!ghost:test.local";
    await expect(
      store.append(ghostRoom, null, [{ streamPos: 10_000_000, pdu, senderDevice: "ALICE", txnId: "ghost-txn" }], [
        { user_id: alice.userId, device_id: "ALICE", scope: txnScopes.send(ghostRoom, "m.room.message"), txn_id: "ghost-txn", event_id: "$ghost", room_id: ghostRoom, created_ts: 1 },
      ], { remove: [], add: "$ghost" }),
    ).rejects.toThrow(/not stored/);
    expect(await app.ctx.stores.events.get("$ghost")).toBeUndefined();
    expect((await new TxnStore(app.ctx.db).findMany([{ userId: alice.userId, deviceId: "ALICE", scope: txnScopes.send(ghostRoom, "m.room.message"), txnId: "ghost-txn" }])).size).toBe(0);
    expect(await app.ctx.stores.rooms.forwardExtremities(ghostRoom)).toEqual([]);
  });

  it("messages written in one statement get consecutive room sequence numbers and become the only extremity", async () => {
    const sent = await Promise.all([0, 1, 2, 3, 4].map((i) => app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: `c${i}` }, `seq-${i}`)));
    const stored = await app.ctx.stores.events.getMany(sent);
    const seqs = sent.map((id) => stored.get(id)!.roomSeq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    const extremities = await app.ctx.stores.rooms.forwardExtremities(roomId);
    expect(extremities).toHaveLength(1);
    expect(sent).toContain(extremities[0]);
  });
});

import { requesterFor } from "../../users/testing/requesters.js";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { testDrivers } from "../../storage/test-databases.js";
import { generateSigningKey, type SigningKey } from "../../crypto/signing-key.js";
import { verifyJsonSignature } from "../../crypto/signed-json.js";
import { authEventTypesFor } from "../../events/auth-rules/index.js";
import type { JsonObject } from "../../events/pdu.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { buildLocalEvent } from "../event-factory.js";
import { RemoteEventIngest } from "./ingest-events.js";
import type { RemoteServers } from "./remote-servers.js";

const REMOTE = "remote.test";

/** Keys of fake peers, checked with the real signature code. */
class FakeKeys implements ServerKeys {
  constructor(private readonly keys: Map<string, SigningKey>) {}
  async getVerifyKey(server: string, keyId: string) {
    const key = this.keys.get(server);
    return key && key.keyId === keyId ? key.publicKey : undefined;
  }
  async verifySignedJson(object: Record<string, unknown>, server: string) {
    const key = this.keys.get(server);
    return key !== undefined && verifyJsonSignature(object, server, key.keyId, key.publicKey);
  }
}

const noRemote: RemoteServers = {
  getMissingEvents: async () => [],
  getEvent: async () => undefined,
  getStateIds: async () => ({ pduIds: [], authChainIds: [] }),
  backfill: async () => [],
};

describe.each(testDrivers())("receiving events from other servers on %s", (driver) => {
  const { app } = useTestApp(driver);
  let remoteKey: SigningKey;
  let ingest: RemoteEventIngest;
  let roomId: string;
  const alice = requesterFor("@alice:test.local", "D");

  /** Builds an event as the remote server would: on top of our room's current extremities and state. */
  async function remoteEvent(type: string, sender: string, content: JsonObject, stateKey?: string, key = remoteKey) {
    const memory = (await app.ctx.rooms.persister.roomMemory(roomId))!;
    const authEvents = authEventTypesFor({ type, sender, state_key: stateKey, content }, memory.version)
      .map(([t, k]) => memory.stateEvent(t, k)?.event_id)
      .filter((id): id is string => id !== undefined);
    const pdu = buildLocalEvent(
      { type, sender, content, stateKey },
      { roomId, prevEvents: memory.extremities, authEvents, depth: memory.maxDepth + 1, originServerTs: Date.now() },
      memory.version,
      REMOTE,
      key,
    );
    const { event_id: _id, ...wire } = pdu;
    return { wire, eventId: pdu.event_id };
  }

  beforeAll(async () => {
    remoteKey = generateSigningKey();
    ingest = new RemoteEventIngest(app.ctx, app.ctx.rooms.persister, app.ctx.stores, new FakeKeys(new Map([[REMOTE, remoteKey]])), noRemote);
    roomId = await app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
  });

  it("accepts a remote user's join and message into the timeline", async () => {
    const join = await remoteEvent("m.room.member", `@bob:${REMOTE}`, { membership: "join" }, `@bob:${REMOTE}`);
    expect(await ingest.receive(REMOTE, join.wire)).toEqual({ eventId: join.eventId });
    const message = await remoteEvent("m.room.message", `@bob:${REMOTE}`, { msgtype: "m.text", body: "hello from afar" });
    expect(await ingest.receive(REMOTE, message.wire)).toEqual({ eventId: message.eventId });
    const memory = (await app.ctx.rooms.persister.roomMemory(roomId))!;
    expect(memory.membershipOf(`@bob:${REMOTE}`)).toBe("join");
    expect(memory.extremities).toEqual([message.eventId]);
    const stored = await app.ctx.stores.events.get(message.eventId);
    expect(stored?.streamPos).toBeGreaterThan(0);
    // Local users keep sending on top of the remote event.
    const local = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "hi bob" }, "ingest-1");
    expect((await app.ctx.stores.events.get(local))?.pdu.prev_events).toEqual([message.eventId]);
  });

  it("refuses an event with a forged signature and stores nothing", async () => {
    const forged = await remoteEvent("m.room.message", `@bob:${REMOTE}`, { body: "forged" }, undefined, generateSigningKey());
    const outcome = await ingest.receive(REMOTE, forged.wire);
    expect(outcome.error).toMatch(/signature/);
    expect(await app.ctx.stores.events.get(forged.eventId)).toBeUndefined();
  });

  it("keeps an event whose content hash does not match, redacted", async () => {
    const event = await remoteEvent("m.room.message", `@bob:${REMOTE}`, { body: "original" });
    const tampered = { ...event.wire, content: { body: "tampered" } };
    const outcome = await ingest.receive(REMOTE, tampered);
    expect(outcome.error).toBeUndefined();
    const stored = await app.ctx.stores.events.get(outcome.eventId!);
    expect(stored?.pdu.content).toEqual({});
  });

  it("rejects an event that fails the auth rules, without disturbing the room", async () => {
    const before = (await app.ctx.rooms.persister.roomMemory(roomId))!.extremities;
    const powerGrab = await remoteEvent("m.room.power_levels", `@bob:${REMOTE}`, { users: { [`@bob:${REMOTE}`]: 100 } }, "");
    const outcome = await ingest.receive(REMOTE, powerGrab.wire);
    expect(outcome.error).toBeDefined();
    expect((await app.ctx.rooms.persister.roomMemory(roomId))!.extremities).toEqual(before);
    const status = await app.ctx.stores.events.knownStatus([powerGrab.eventId]);
    expect(status.get(powerGrab.eventId)?.rejected).toBe(true);
  });

  it("refuses an oversized event and an event for a room it does not know", async () => {
    const big = await remoteEvent("m.room.message", `@bob:${REMOTE}`, { body: "x".repeat(70_000) });
    expect((await ingest.receive(REMOTE, big.wire)).error).toMatch(/65536|size|large|bytes/i);
    expect((await ingest.receive(REMOTE, { ...big.wire, room_id: "!nowhere:remote.test" })).error).toMatch(/unknown room/);
    expect((await ingest.receive(REMOTE, "not an object")).error).toBeDefined();
  });

  it("soft-fails an event from a user who was banned after the event's prev_events", async () => {
    const stale = await remoteEvent("m.room.message", `@bob:${REMOTE}`, { body: "sent before the ban arrived" });
    await app.ctx.rooms.service.membership(alice, roomId, "ban", `@bob:${REMOTE}`);
    const outcome = await ingest.receive(REMOTE, stale.wire);
    expect(outcome.error).toBeUndefined();
    const stored = await app.ctx.stores.events.get(stale.eventId);
    expect(stored?.streamPos).toBeLessThan(0);
    const row = await app.ctx.db.selectFrom("events").select("soft_failed").where("event_id", "=", stale.eventId).executeTakeFirst();
    expect(row?.soft_failed).toBe(true);
  });
});

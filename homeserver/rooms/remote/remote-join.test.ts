import { requesterFor } from "../../users/testing/requesters.js";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { TestApp } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { testDrivers } from "../../storage/test-databases.js";
import { verifyJsonSignature } from "../../crypto/signed-json.js";
import type { ServerKeys } from "../../federation-keys/server-keys.js";
import { createFederationRooms, type FederationRooms } from "./index.js";
import type { RemoteMembership, RemoteServers } from "./remote-servers.js";

/**
 * Two homeservers in one process, wired directly to each other's federation services (no HTTP), to prove
 * the room logic of a remote join: make_join, send_join, checking the state we get, and events both ways.
 */
describe.each(testDrivers())("joining a room on another server (%s)", (driver) => {
  const { app: a } = useTestApp(driver, { config: { server_name: "a.test" } });
  const { app: b } = useTestApp(driver, { config: { server_name: "b.test" } });
  const fed = new Map<string, FederationRooms>();
  const apps = new Map<string, TestApp>();

  const keys: ServerKeys = {
    getVerifyKey: async (server, keyId) => {
      const key = apps.get(server)?.ctx.signingKey;
      return key && key.keyId === keyId ? key.publicKey : undefined;
    },
    verifySignedJson: async (object, server) => {
      const key = apps.get(server)?.ctx.signingKey;
      return key !== undefined && verifyJsonSignature(object, server, key.keyId, key.publicKey);
    },
  };

  function transportFrom(origin: string): RemoteServers & RemoteMembership {
    const to = (destination: string) => fed.get(destination)!;
    return {
      getMissingEvents: (d, roomId, args) => to(d).reads.missingEvents(origin, roomId, args.earliestEvents, args.latestEvents, args.limit, args.minDepth),
      getEvent: async (d, eventId) => (await to(d).reads.event(origin, eventId)).pdu,
      backfill: (d, roomId, from, limit) => to(d).reads.backfill(origin, roomId, from, limit),
      getStateIds: async (d, roomId, eventId) => {
        const r = await to(d).reads.stateAt(origin, roomId, eventId);
        return { pduIds: r.stateIds, authChainIds: r.authChainIds };
      },
      makeJoin: async (d, roomId, userId, versions) => {
        const r = await to(d).membership.makeMembership(origin, roomId, userId, "join", versions);
        return { event: r.event, roomVersion: r.room_version };
      },
      sendJoin: async (d, roomId, eventId, event) => {
        const r = (await to(d).membership.sendMembership(origin, roomId, eventId, event, "join")) as { state: unknown[]; auth_chain: unknown[] };
        return { state: r.state, authChain: r.auth_chain };
      },
      makeLeave: async () => {
        throw new Error("unused");
      },
      sendLeave: async () => {},
      makeKnock: async () => {
        throw new Error("unused");
      },
      sendKnock: async () => ({ knockRoomState: [] }),
      invite: async () => ({}),
    };
  }

  beforeAll(async () => {
    apps.set("a.test", a).set("b.test", b);
    fed.set("a.test", createFederationRooms(a.ctx, a.ctx.rooms.persister, a.ctx.stores, a.ctx.rooms.service, keys, transportFrom("a.test"), a.ctx.edus.dispatcher));
    fed.set("b.test", createFederationRooms(b.ctx, b.ctx.rooms.persister, b.ctx.stores, b.ctx.rooms.service, keys, transportFrom("b.test"), b.ctx.edus.dispatcher));
  });

  it.each(["12", "10", "3", "2", "1"])("a user of B joins a public v%s room on A and both agree on its state", async (version) => {
    const alice = requesterFor("@alice:a.test", "A");
    const bob = requesterFor("@bob:b.test", "B");
    const roomId = await a.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Shared", room_version: version });
    await a.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "before bob" }, `pre-${version}`);

    await fed.get("b.test")!.remoteJoin.join(bob, roomId, ["a.test"]);

    const onA = (await a.ctx.rooms.persister.roomMemory(roomId))!;
    const onB = (await b.ctx.rooms.persister.roomMemory(roomId))!;
    expect(onA.membershipOf(bob.userId)).toBe("join");
    expect(onB.membershipOf(bob.userId)).toBe("join");
    expect(onB.stateEvent("m.room.name")?.content.name).toBe("Shared");
    const ids = (m: typeof onA) => [...m.state.entries()].map(([k, e]) => `${k}=${e.event_id}`).sort();
    expect(ids(onB)).toEqual(ids(onA));
    expect(onB.extremities).toEqual(onA.extremities);

    // B sends on top of the join; A takes it in as B's server would deliver it.
    const sent = await b.ctx.rooms.service.sendMessage(bob, roomId, "m.room.message", { body: "hello from b" }, `b-${version}`);
    const pdu = (await fed.get("b.test")!.reads.event("a.test", sent)).pdu;
    expect(await fed.get("a.test")!.ingest.receive("b.test", pdu)).toEqual({ eventId: sent });
    expect((await a.ctx.rooms.persister.roomMemory(roomId))!.extremities).toEqual([sent]);
  });

  it("refuses make_join for a room version the joining server does not support", async () => {
    const alice = requesterFor("@alice:a.test", "A");
    const roomId = await a.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await expect(fed.get("a.test")!.membership.makeMembership("b.test", roomId, "@bob:b.test", "join", ["1"])).rejects.toMatchObject({
      errcode: "M_INCOMPATIBLE_ROOM_VERSION",
    });
  });

  it("refuses a join into an invite-only room with M_FORBIDDEN", async () => {
    const alice = requesterFor("@alice:a.test", "A");
    const bob = requesterFor("@bob2:b.test", "B");
    const roomId = await a.ctx.rooms.service.createRoom(alice, { preset: "private_chat" });
    await expect(fed.get("b.test")!.remoteJoin.join(bob, roomId, ["a.test"])).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
  });

  /** What B holds of a room: nothing at all after a join that failed. */
  async function heldOnB(roomId: string) {
    const count = async (table: "rooms" | "events" | "state_groups" | "current_state" | "forward_extremities") =>
      Number((await b.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).where("room_id", "=", roomId).executeTakeFirstOrThrow()).n);
    return {
      rooms: await count("rooms"),
      events: await count("events"),
      stateGroups: await count("state_groups"),
      currentState: await count("current_state"),
      extremities: await count("forward_extremities"),
      memory: (await b.ctx.rooms.persister.roomMemory(roomId)) !== undefined,
    };
  }
  const NOTHING = { rooms: 0, events: 0, stateGroups: 0, currentState: 0, extremities: 0, memory: false };

  async function expectJoinedAlike(roomId: string, userId: string) {
    const onA = (await a.ctx.rooms.persister.roomMemory(roomId))!;
    const onB = (await b.ctx.rooms.persister.roomMemory(roomId))!;
    expect(onB.membershipOf(userId)).toBe("join");
    const ids = (m: typeof onA) => [...m.state.entries()].map(([k, e]) => `${k}=${e.event_id}`).sort();
    expect(ids(onB)).toEqual(ids(onA));
    expect(onB.extremities).toEqual(onA.extremities);
  }

  it("a join whose send_join state fails our own checks leaves nothing on the joining server, and a retry succeeds", async () => {
    const alice = requesterFor("@alice:a.test", "A");
    const carol = requesterFor("@carol:b.test", "B");
    const roomId = await a.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Half" });
    // A resident server that leaves m.room.join_rules out of the state (it stays in the auth chain): the
    // auth chain and state pass, our join then fails against that state.
    const honest = transportFrom("b.test");
    const lossy: RemoteServers & RemoteMembership = {
      ...honest,
      sendJoin: async (...args) => {
        const response = await honest.sendJoin(...args);
        return { ...response, state: response.state.filter((e) => (e as { type?: string }).type !== "m.room.join_rules") };
      },
    };
    const failing = createFederationRooms(b.ctx, b.ctx.rooms.persister, b.ctx.stores, b.ctx.rooms.service, keys, lossy, b.ctx.edus.dispatcher);
    await expect(failing.remoteJoin.join(carol, roomId, ["a.test"])).rejects.toMatchObject({ status: 502 });
    expect(await heldOnB(roomId)).toEqual(NOTHING);

    await fed.get("b.test")!.remoteJoin.join(carol, roomId, ["a.test"]);
    await expectJoinedAlike(roomId, carol.userId);
  });

  it("a join whose write fails at its last step (the forward extremities) leaves no room row, outlier or state behind, and a retry succeeds", async () => {
    const alice = requesterFor("@alice:a.test", "A");
    const dave = requesterFor("@dave:b.test", "B");
    const roomId = await a.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Disk full" });
    const failure = vi.spyOn(b.ctx.stores.rooms, "setForwardExtremities").mockRejectedValueOnce(new Error("disk full"));
    try {
      await expect(fed.get("b.test")!.remoteJoin.join(dave, roomId, ["a.test"])).rejects.toMatchObject({ status: 502 });
    } finally {
      failure.mockRestore();
    }
    expect(await heldOnB(roomId)).toEqual(NOTHING);

    await fed.get("b.test")!.remoteJoin.join(dave, roomId, ["a.test"]);
    await expectJoinedAlike(roomId, dave.userId);
  });
});

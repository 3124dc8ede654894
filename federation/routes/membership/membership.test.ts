import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { verifyJsonSignature } from "../../../homeserver/crypto/signed-json.js";
import { generateSigningKey } from "../../../homeserver/crypto/signing-key.js";
import type { JsonObject, Pdu } from "../../../homeserver/events/pdu.js";
import { redactEvent } from "../../../homeserver/events/redaction.js";
import { getRoomVersion } from "../../../homeserver/events/room-versions.js";
import { completeTemplate } from "../../../homeserver/rooms/remote/complete-template.js";
import { toWirePdu } from "../../../homeserver/rooms/remote/index.js";
import { roomStateForInviteOrKnock } from "../../../homeserver/rooms/remote/stripped-state.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import { craftEvent, wireEvent } from "../testing/events.js";
import { call, federationPath, newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

/** Membership handshakes over HTTP between two servers on loopback: joins, leaves, knocks and invites. */
describe.each(testDrivers())("membership over federation (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;

  const memoryOnA = async (roomId: string) => (await a.app.ctx.rooms.persister.roomMemory(roomId))!;

  /** make_<kind> from B, completed and signed by B as its remote join would, ready for send_<kind>. */
  async function signedFromTemplate(kind: "join" | "leave" | "knock", roomId: string, userId: string, ver = ["12", "11", "10", "6", "1"]) {
    const query = kind === "leave" ? undefined : { ver };
    const made = await call(b, a, "GET", `/_matrix/federation/v1/make_${kind}/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}`, undefined, query);
    expect(made.status).toBe(200);
    const version = getRoomVersion(made.json.room_version)!;
    const event = completeTemplate(made.json.event, version, b.name, b.app.ctx.signingKey, Date.now(), { membership: kind });
    return { event, wire: toWirePdu(event, version), path: (v: string) => `/_matrix/federation/${v}/send_${kind}/${encodeURIComponent(roomId)}/${encodeURIComponent(event.event_id)}` };
  }

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await newUser(a, "alice");
  });
  afterAll(() => stopPeers(a, b));

  describe("joins and leaves", () => {
    let roomId: string;
    beforeAll(async () => {
      roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Open" });
    });

    it("make_join without ver means version 1 only: 400 M_INCOMPATIBLE_ROOM_VERSION naming the room's version", async () => {
      const answer = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_join/${roomId}/${`@x:${b.name}`}`);
      expect(answer).toMatchObject({ status: 400, json: { errcode: "M_INCOMPATIBLE_ROOM_VERSION", room_version: "12" } });
    });

    it("make_join for a user of another server than the requester's is refused with 403", async () => {
      const answer = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_join/${roomId}/${"@x:elsewhere.example"}`, undefined, { ver: ["12"] });
      expect(answer).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
    });

    it("make_join for a room A does not know is 404 M_NOT_FOUND", async () => {
      const answer = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_join/${`!unknown:${a.name}`}/${`@x:${b.name}`}`, undefined, { ver: ["12"] });
      expect(answer).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    });

    it("v1 send_join answers [200, {state, auth_chain}] with the room's state before the join", async () => {
      const userId = `@v1joiner:${b.name}`;
      const { event, wire, path } = await signedFromTemplate("join", roomId, userId);
      const answer = await call(b, a, "PUT", path("v1"), wire);
      expect(answer.status).toBe(200);
      expect(answer.json[0]).toBe(200);
      const body = answer.json[1];
      expect(body.origin).toBe(a.name);
      expect(body.state.map((e: { type: string }) => e.type)).toContain("m.room.create");
      expect(body.auth_chain.length).toBeGreaterThan(0);
      expect((await memoryOnA(roomId)).membershipOf(userId)).toBe("join");
      expect((await memoryOnA(roomId)).stateEvent("m.room.member", userId)?.event_id).toBe(event.event_id);
    });

    it("v2 send_join answers the body itself, and a leave by make_leave and v2 send_leave answers {}", async () => {
      const userId = `@v2joiner:${b.name}`;
      const join = await signedFromTemplate("join", roomId, userId);
      const joined = await call(b, a, "PUT", join.path("v2"), join.wire);
      expect(joined.status).toBe(200);
      expect(joined.json).toMatchObject({ origin: a.name, members_omitted: false });
      expect(Array.isArray(joined.json.state)).toBe(true);
      const leave = await signedFromTemplate("leave", roomId, userId);
      expect(await call(b, a, "PUT", leave.path("v2"), leave.wire)).toEqual({ status: 200, json: {} });
      expect((await memoryOnA(roomId)).membershipOf(userId)).toBe("leave");
    });

    it("v1 send_leave answers [200, {}]", async () => {
      const userId = `@v1leaver:${b.name}`;
      const join = await signedFromTemplate("join", roomId, userId);
      await call(b, a, "PUT", join.path("v2"), join.wire);
      const leave = await signedFromTemplate("leave", roomId, userId);
      expect(await call(b, a, "PUT", leave.path("v1"), leave.wire)).toEqual({ status: 200, json: [200, {}] });
    });

    it("a send_leave that the room's rules refuse is 403 and stores nothing (auth is checked before anything is written)", async () => {
      const userId = `@banned-leaver:${b.name}`;
      const join = await signedFromTemplate("join", roomId, userId);
      expect((await call(b, a, "PUT", join.path("v2"), join.wire)).status).toBe(200);
      const leave = await signedFromTemplate("leave", roomId, userId);
      // Banned between make_leave and send_leave: a banned user may not leave on their own.
      await a.app.ctx.rooms.service.membership(alice, roomId, "ban", userId);
      expect(await call(b, a, "PUT", leave.path("v2"), leave.wire)).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
      expect(await a.app.ctx.stores.events.get(leave.event.event_id)).toBeUndefined();
      expect((await memoryOnA(roomId)).membershipOf(userId)).toBe("ban");
    });

    it("send_join refuses an event whose id does not match the path, or that B's server did not sign", async () => {
      const { wire, path } = await signedFromTemplate("join", roomId, `@mismatch:${b.name}`);
      const other = `/_matrix/federation/v2/send_join/${encodeURIComponent(roomId)}/${encodeURIComponent("$not-this-one")}`;
      expect(await call(b, a, "PUT", other, wire)).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
      const unsigned = { ...wire, signatures: {} };
      expect((await call(b, a, "PUT", path("v2"), unsigned)).status).toBe(400);
      expect(await call(b, a, "PUT", path("v2"), { type: "m.room.member" })).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
    });
  });

  describe("knocks", () => {
    it("make_knock and send_knock put a knock into a knockable room and answer with its state, create event included", async () => {
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, {
        preset: "private_chat",
        name: "Knock first",
        initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }],
      });
      const userId = `@knocker:${b.name}`;
      const { wire, path } = await signedFromTemplate("knock", roomId, userId);
      const answer = await call(b, a, "PUT", path("v1"), wire);
      expect(answer.status).toBe(200);
      const types = answer.json.knock_room_state.map((e: { type: string }) => e.type);
      expect(types).toEqual(expect.arrayContaining(["m.room.create", "m.room.name", "m.room.join_rules"]));
      expect((await memoryOnA(roomId)).membershipOf(userId)).toBe("knock");
    });

    it("refuses to knock in a room version without knocking, or when the knocking server does not support the room's version", async () => {
      const old = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", room_version: "6" });
      const query = { ver: ["6"] };
      const noKnocking = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_knock/${old}/${`@k:${b.name}`}`, undefined, query);
      expect(noKnocking).toMatchObject({ status: 400, json: { errcode: "M_INCOMPATIBLE_ROOM_VERSION", room_version: "6" } });
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, {
        preset: "private_chat",
        initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }],
      });
      const unsupported = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_knock/${roomId}/${`@k:${b.name}`}`, undefined, { ver: ["10"] });
      expect(unsupported).toMatchObject({ status: 400, json: { errcode: "M_INCOMPATIBLE_ROOM_VERSION" } });
      const missingVer = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_knock/${roomId}/${`@k:${b.name}`}`);
      expect(missingVer).toMatchObject({ status: 400, json: { errcode: "M_MISSING_PARAM" } });
    });

    it("refuses a knock where the join rules do not allow one with 403", async () => {
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat" });
      const answer = await call(b, a, "GET", federationPath`/_matrix/federation/v1/make_knock/${roomId}/${`@k:${b.name}`}`, undefined, { ver: ["12"] });
      expect(answer).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
    });
  });

  describe("invites", () => {
    let bob: Requester;
    beforeAll(async () => {
      bob = await newUser(b, "bob");
    });

    /** Alice invites `userId` into `roomId` on A; returns the invite as A would send it in PUT /v2/invite. */
    async function inviteFromA(roomId: string, userId: string) {
      await a.app.ctx.rooms.service.membership(alice, roomId, "invite", userId);
      const memory = await memoryOnA(roomId);
      const eventId = memory.stateEvent("m.room.member", userId)!.event_id;
      const body = { room_version: memory.version.id, event: await wireEvent(a, eventId), invite_room_state: roomStateForInviteOrKnock(memory) };
      return { eventId, body, path: federationPath`/_matrix/federation/v2/invite/${roomId}/${eventId}` };
    }

    it("signs an invite for one of its users, and the invitee sees it in /sync with the room's stripped state kept", async () => {
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", name: "Secret plans" });
      const before = await b.app.ctx.sync.sync(bob, {});
      const { eventId, body, path } = await inviteFromA(roomId, bob.userId);

      const answer = await call(a, b, "PUT", path, body);
      expect(answer.status).toBe(200);
      const signed = answer.json.event as Pdu;
      const version = getRoomVersion("12")!;
      const key = b.app.ctx.signingKey;
      expect(verifyJsonSignature(redactEvent(signed, version) as Record<string, unknown>, b.name, key.keyId, key.publicKey)).toBe(true);
      expect(signed.signatures?.[a.name]).toEqual((body.event as Pdu).signatures?.[a.name]);
      expect({ ...signed, signatures: undefined }).toEqual({ ...body.event, signatures: undefined });

      const initial = await b.app.ctx.sync.sync(bob, {});
      const invite = initial.rooms?.invite?.[roomId];
      expect(invite?.invite_state?.events).toContainEqual(expect.objectContaining({ type: "m.room.member", state_key: bob.userId, content: expect.objectContaining({ membership: "invite" }) }));
      expect(initial.rooms?.join?.[roomId]).toBeUndefined();
      const incremental = await b.app.ctx.sync.sync(bob, { since: before.next_batch });
      expect(incremental.rooms?.invite?.[roomId]).toBeDefined();
      // The stripped room state travels with the stored invite for the invite section.
      const stored = await b.app.ctx.stores.events.get(eventId);
      const kept = stored?.unsigned?.invite_room_state as Array<{ type: string; content: JsonObject }>;
      expect(kept.find((e) => e.type === "m.room.name")?.content.name).toBe("Secret plans");
      expect(kept.every((e) => Object.keys(e).sort().join() === "content,sender,state_key,type")).toBe(true);
      // The room is not known as a room: a join still goes over federation.
      expect(await b.app.ctx.rooms.persister.roomMemory(roomId)).toBeUndefined();
      // A retried invite is answered the same and kept once.
      expect((await call(a, b, "PUT", path, body)).status).toBe(200);
    });

    it("after an invite, the user joins through the inviting server and the joined room syncs with its whole state", async () => {
      const carol = await newUser(b, "carol");
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", name: "Invited only" });
      const { body, path } = await inviteFromA(roomId, carol.userId);
      expect((await call(a, b, "PUT", path, body)).status).toBe(200);
      const invited = await b.app.ctx.sync.sync(carol, {});
      expect(invited.rooms?.invite?.[roomId]).toBeDefined();

      // A v12 room id names no server: only the invite says where to join.
      await b.app.ctx.federationRooms.invitedJoin.join(carol, roomId, []);
      expect((await memoryOnA(roomId)).membershipOf(carol.userId)).toBe("join");

      const initial = await b.app.ctx.sync.sync(carol, {});
      expect(initial.rooms?.invite?.[roomId]).toBeUndefined();
      const joined = initial.rooms?.join?.[roomId];
      const types = [...(joined?.state?.events ?? []), ...(joined?.timeline.events ?? [])].map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels", "m.room.name", "m.room.join_rules"]));
      expect(joined?.timeline.events.at(-1)).toMatchObject({ type: "m.room.member", state_key: carol.userId, content: { membership: "join" } });
      const incremental = await b.app.ctx.sync.sync(carol, { since: invited.next_batch });
      expect(incremental.rooms?.join?.[roomId]?.state?.events.map((e) => e.type)).toContain("m.room.create");
    });

    it("keeps showing the invite when the join fails", async () => {
      const dan = await newUser(b, "dan");
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat" });
      const { body, path } = await inviteFromA(roomId, dan.userId);
      expect((await call(a, b, "PUT", path, body)).status).toBe(200);
      const invited = await b.app.ctx.sync.sync(dan, {});
      // Alice changes her mind before Dan accepts: A refuses the join.
      await a.app.ctx.rooms.service.membership(alice, roomId, "kick", dan.userId);
      // The resident server's refusal reaches the client as it was given: 403 M_FORBIDDEN.
      await expect(b.app.ctx.federationRooms.invitedJoin.join(dan, roomId, [])).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
      const after = await b.app.ctx.sync.sync(dan, {});
      expect(after.rooms?.invite?.[roomId]).toBeDefined();
      const incremental = await b.app.ctx.sync.sync(dan, { since: invited.next_batch });
      expect(incremental.rooms?.invite?.[roomId]).toBeDefined();
    });

    it("rejecting a pending invite leaves through the inviting server and moves the room to `leave` in /sync", async () => {
      const grace = await newUser(b, "grace");
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", name: "Declined" });
      const { body, path } = await inviteFromA(roomId, grace.userId);
      expect((await call(a, b, "PUT", path, body)).status).toBe(200);
      const invited = await b.app.ctx.sync.sync(grace, {});
      expect(invited.rooms?.invite?.[roomId]).toBeDefined();

      await b.app.ctx.federationRooms.inviteRejection.reject(grace, roomId, "not today");
      const onA = (await memoryOnA(roomId)).stateEvent("m.room.member", grace.userId);
      expect(onA?.content).toEqual({ membership: "leave", reason: "not today" });
      const incremental = await b.app.ctx.sync.sync(grace, { since: invited.next_batch });
      expect(incremental.rooms?.invite?.[roomId]).toBeUndefined();
      // Under `leave`; its timeline stays empty, as the room (no rooms row here) has no version to format events with.
      expect(incremental.rooms?.leave?.[roomId]).toBeDefined();
      const initial = await b.app.ctx.sync.sync(grace, {});
      expect(initial.rooms?.invite?.[roomId]).toBeUndefined();
      await expect(b.app.ctx.federationRooms.inviteRejection.reject(grace, roomId)).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    });

    it("answers the v1 invite (room versions 1 and 2) with [200, {event}]", async () => {
      const erin = await newUser(b, "erin");
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat", room_version: "1", name: "Old times" });
      const { eventId, body } = await inviteFromA(roomId, erin.userId);
      const event = { ...body.event, unsigned: { invite_room_state: body.invite_room_state } };
      const answer = await call(a, b, "PUT", federationPath`/_matrix/federation/v1/invite/${roomId}/${eventId}`, event);
      expect(answer.status).toBe(200);
      expect(answer.json[0]).toBe(200);
      expect(answer.json[1].event.signatures[b.name]).toBeDefined();
      expect((await b.app.ctx.sync.sync(erin, {})).rooms?.invite?.[roomId]).toBeDefined();
    });

    it("refuses invites it must not sign, with the spec's errors", async () => {
      const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "private_chat" });
      const frank = await newUser(b, "frank");
      const { eventId, body, path } = await inviteFromA(roomId, frank.userId);
      const put = (p: string, payload: unknown) => call(a, b, "PUT", p, payload);

      expect(await put(path, { ...body, room_version: "99" })).toMatchObject({ status: 400, json: { errcode: "M_INCOMPATIBLE_ROOM_VERSION", room_version: "99" } });
      const wrongId = federationPath`/_matrix/federation/v2/invite/${roomId}/${"$someone-else"}`;
      expect(await put(wrongId, body)).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
      expect(await put(path, { ...body, invite_room_state: body.invite_room_state.filter((e) => e.type !== "m.room.create") })).toMatchObject({
        status: 400,
        json: { errcode: "M_INVALID_PARAM" },
      });
      expect(await put(path, { ...body, event: { ...body.event, content: { membership: "join" } } })).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
      expect(await put(path, { room_version: "12" })).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });

      // Signed by A's name with another key.
      const forger = { ...generateSigningKey(), keyId: a.app.ctx.signingKey.keyId };
      const forged = await craftEvent(a, roomId, { type: "m.room.member", sender: alice.userId, stateKey: frank.userId, content: { membership: "invite" } }, forger);
      const forgedPath = federationPath`/_matrix/federation/v2/invite/${roomId}/${forged.pdu.event_id}`;
      expect(await put(forgedPath, { ...body, event: forged.wire })).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });

      // For a user of another server, or one of ours that does not exist.
      const elsewhere = await craftEvent(a, roomId, { type: "m.room.member", sender: alice.userId, stateKey: "@frank:elsewhere.example", content: { membership: "invite" } });
      const elsewherePath = federationPath`/_matrix/federation/v2/invite/${roomId}/${elsewhere.pdu.event_id}`;
      expect(await put(elsewherePath, { ...body, event: elsewhere.wire })).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
      const nobody = await craftEvent(a, roomId, { type: "m.room.member", sender: alice.userId, stateKey: `@nobody:${b.name}`, content: { membership: "invite" } });
      const nobodyPath = federationPath`/_matrix/federation/v2/invite/${roomId}/${nobody.pdu.event_id}`;
      expect(await put(nobodyPath, { ...body, event: nobody.wire })).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });

      // Sent by a user of a server other than the one asking.
      expect(await call(b, b, "PUT", path, body)).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
      // Inviting from A already delivered the one genuine invite; none of the refused requests added another.
      const invite = (await b.app.ctx.sync.sync(frank, {})).rooms?.invite?.[roomId];
      const frankInvites = invite?.invite_state.events.filter((e) => e.type === "m.room.member" && e.state_key === frank.userId) ?? [];
      expect(frankInvites).toHaveLength(1);
      expect(eventId).toBeTruthy();
    });
  });
});

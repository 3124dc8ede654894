import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const TEMPLATE = "/_matrix/client/v3/rooms/{roomId}/upgrade";
const room = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;

type StateEvent = { type: string; state_key: string; sender: string; content: Record<string, any> };

describe.each(testDrivers())("POST /rooms/{roomId}/upgrade on %s", (driver) => {
  const {
    app,
    users: [owner, member],
  } = useTestApp(driver, { users: 2 });

  const request = (method: "GET" | "POST" | "PUT", path: string, who: TestUser, payload?: unknown) =>
    app.http.inject({ method, url: path, headers: bearer(who), payload: payload as object | undefined });
  const createRoom = async (body: Record<string, unknown>): Promise<string> => {
    const response = await request("POST", "/_matrix/client/v3/createRoom", owner, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().room_id;
  };
  const upgrade = async (roomId: string, body: unknown, who: TestUser = owner) => {
    const response = await request("POST", `${room(roomId)}/upgrade`, who, body);
    return { status: response.statusCode, json: response.json() };
  };
  const state = async (roomId: string, who: TestUser = owner): Promise<StateEvent[]> => {
    const response = await request("GET", `${room(roomId)}/state`, who);
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const stateOf = (events: StateEvent[], type: string, stateKey = "") => events.find((e) => e.type === type && e.state_key === stateKey);
  const sendState = (roomId: string, type: string, content: unknown, stateKey = "") =>
    request("PUT", `${room(roomId)}/state/${type}/${encodeURIComponent(stateKey)}`, owner, content);

  it("makes a replacement room with the predecessor and the old room's state, tombstones the old room and restricts it", async () => {
    const oldRoom = await createRoom({
      room_version: "10",
      preset: "public_chat",
      name: "Upgrade me",
      topic: "a topic",
      initial_state: [
        { type: "m.room.encryption", content: { algorithm: "m.megolm.v1.aes-sha2" } },
        { type: "m.room.guest_access", content: { guest_access: "forbidden" } },
        { type: "m.room.server_acl", content: { allow: ["*"], deny: ["evil.example"], allow_ip_literals: true } },
        { type: "org.example.custom", content: { kept: false } },
      ],
    });
    expect((await request("POST", `${room(oldRoom)}/join`, member, {})).statusCode).toBe(200);
    const oldLevels = stateOf(await state(oldRoom), "m.room.power_levels")!.content;

    const answer = await upgrade(oldRoom, { new_version: "11" });
    expect(answer.status).toBe(200);
    expect(specErrors("POST", TEMPLATE, 200, answer.json)).toEqual([]);
    const newRoom = answer.json.replacement_room as string;
    expect(newRoom).not.toBe(oldRoom);

    const copied = await state(newRoom);
    const create = stateOf(copied, "m.room.create")!;
    expect(create.sender).toBe(owner.userId);
    expect(create.content.room_version).toBe("11");
    expect(create.content.predecessor.room_id).toBe(oldRoom);
    expect(create.content.predecessor.event_id).toMatch(/^\$/);
    expect(stateOf(copied, "m.room.name")!.content).toEqual({ name: "Upgrade me" });
    expect(stateOf(copied, "m.room.topic")!.content).toMatchObject({ topic: "a topic" });
    expect(stateOf(copied, "m.room.join_rules")!.content).toEqual({ join_rule: "public" });
    expect(stateOf(copied, "m.room.history_visibility")!.content).toEqual({ history_visibility: "shared" });
    expect(stateOf(copied, "m.room.guest_access")!.content).toEqual({ guest_access: "forbidden" });
    expect(stateOf(copied, "m.room.encryption")!.content).toEqual({ algorithm: "m.megolm.v1.aes-sha2" });
    expect(stateOf(copied, "m.room.server_acl")!.content).toEqual({ allow: ["*"], deny: ["evil.example"], allow_ip_literals: true });
    expect(stateOf(copied, "m.room.power_levels")!.content).toMatchObject({ users: oldLevels.users, events: oldLevels.events, invite: oldLevels.invite });
    // Other servers' or applications' state and memberships are not copied: the member must join the new room.
    expect(stateOf(copied, "org.example.custom")).toBeUndefined();
    expect(stateOf(copied, "m.room.member", member.userId)).toBeUndefined();

    const old = await state(oldRoom);
    expect(stateOf(old, "m.room.tombstone")).toMatchObject({ sender: owner.userId, content: { body: expect.any(String), replacement_room: newRoom } });
    const restricted = stateOf(old, "m.room.power_levels")!.content;
    expect(restricted.events_default).toBeGreaterThanOrEqual(50);
    expect(restricted.invite).toBeGreaterThanOrEqual(50);
    // An ordinary member can no longer speak in the old room.
    const refused = await request("PUT", `${room(oldRoom)}/send/m.room.message/t1`, member, { msgtype: "m.text", body: "still here?" });
    expect(refused.statusCode).toBe(403);
  });

  it("moves the local aliases, the canonical alias and the directory entry to the new room, and copies bans", async () => {
    const localpart = `upgraded-${Date.now()}`;
    const oldRoom = await createRoom({ room_version: "11", preset: "public_chat", visibility: "public", room_alias_name: localpart });
    const alias = `#${localpart}:${app.ctx.serverName}`;
    const extra = `#${localpart}-extra:${app.ctx.serverName}`;
    expect((await request("PUT", `/_matrix/client/v3/directory/room/${encodeURIComponent(extra)}`, owner, { room_id: oldRoom })).statusCode).toBe(200);
    expect((await sendState(oldRoom, "m.room.canonical_alias", { alias, alt_aliases: [extra, "#theirs:elsewhere.example"] })).statusCode).toBe(200);
    expect((await request("POST", `${room(oldRoom)}/ban`, owner, { user_id: member.userId, reason: "spam" })).statusCode).toBe(200);

    const newRoom = (await upgrade(oldRoom, { new_version: "11" })).json.replacement_room as string;
    const resolved = await request("GET", `/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`, owner);
    expect(resolved.json().room_id).toBe(newRoom);
    const aliases = await request("GET", `${room(newRoom)}/aliases`, owner);
    expect(aliases.json().aliases.sort()).toEqual([alias, extra].sort());
    expect(stateOf(await state(newRoom), "m.room.canonical_alias")!.content).toEqual({ alias, alt_aliases: [extra] });
    expect(stateOf(await state(oldRoom), "m.room.canonical_alias")!.content).toEqual({ alt_aliases: ["#theirs:elsewhere.example"] });

    const visibility = async (roomId: string) => (await request("GET", `/_matrix/client/v3/directory/list/room/${encodeURIComponent(roomId)}`, owner)).json().visibility;
    expect(await visibility(newRoom)).toBe("public");
    expect(await visibility(oldRoom)).toBe("private");
    expect(stateOf(await state(newRoom), "m.room.member", member.userId)?.content).toMatchObject({ membership: "ban", reason: "spam" });
  });

  it("does not copy invites", async () => {
    const invitee = await registerTestUser(app.http);
    const oldRoom = await createRoom({ room_version: "11", preset: "private_chat", invite: [invitee.userId] });
    const newRoom = (await upgrade(oldRoom, { new_version: "11" })).json.replacement_room as string;
    expect(stateOf(await state(newRoom), "m.room.member", invitee.userId)).toBeUndefined();
  });

  it("copies a space's type and children", async () => {
    const child = await createRoom({ preset: "public_chat" });
    const space = await createRoom({ room_version: "11", preset: "public_chat", creation_content: { type: "m.space" } });
    await sendState(space, "m.space.child", { via: [app.ctx.serverName], suggested: true }, child);
    const newSpace = (await upgrade(space, { new_version: "12" })).json.replacement_room as string;
    const copied = await state(newSpace);
    expect(stateOf(copied, "m.room.create")!.content.type).toBe("m.space");
    expect(stateOf(copied, "m.space.child", child)!.content).toEqual({ via: [app.ctx.serverName], suggested: true });
  });

  it("upgrades to v12: the upgrader and additional_creators are creators, absent from the power levels' users", async () => {
    const oldRoom = await createRoom({ room_version: "11", preset: "private_chat", name: "to twelve" });
    expect((await request("POST", `${room(oldRoom)}/invite`, owner, { user_id: member.userId })).statusCode).toBe(200);
    const answer = await upgrade(oldRoom, { new_version: "12", additional_creators: [member.userId] });
    expect(answer.status).toBe(200);
    const newRoom = answer.json.replacement_room as string;
    const copied = await state(newRoom);
    const create = stateOf(copied, "m.room.create")!;
    expect(create.content).toMatchObject({ room_version: "12", additional_creators: [member.userId], predecessor: { room_id: oldRoom } });
    const users = stateOf(copied, "m.room.power_levels")!.content.users;
    expect(users[owner.userId]).toBeUndefined();
    expect(users[member.userId]).toBeUndefined();
    expect(stateOf(copied, "m.room.name")!.content.name).toBe("to twelve");

    // And from v12 on (creator power), and back to a version without creators, where the upgrader becomes an admin.
    const again = await upgrade(newRoom, { new_version: "12" });
    expect(again.status).toBe(200);
    const back = await upgrade(again.json.replacement_room, { new_version: "10" });
    expect(back.status).toBe(200);
    const downgraded = await state(back.json.replacement_room);
    expect(stateOf(downgraded, "m.room.power_levels")!.content.users[owner.userId]).toBe(100);
    expect(stateOf(await state(again.json.replacement_room), "m.room.tombstone")!.content.replacement_room).toBe(back.json.replacement_room);
  });

  it("lends the upgrader the power to copy every event, then restores the old levels", async () => {
    const oldRoom = await createRoom({
      room_version: "10",
      preset: "private_chat",
      power_level_content_override: { events: { "m.room.tombstone": 50, "m.room.encryption": 100, "m.room.name": 50 } },
    });
    const promoted = await registerTestUser(app.http);
    expect((await request("POST", `${room(oldRoom)}/invite`, owner, { user_id: promoted.userId })).statusCode).toBe(200);
    expect((await request("POST", `${room(oldRoom)}/join`, promoted, {})).statusCode).toBe(200);
    const levels = stateOf(await state(oldRoom), "m.room.power_levels")!.content;
    expect((await sendState(oldRoom, "m.room.power_levels", { ...levels, users: { ...levels.users, [promoted.userId]: 50 } })).statusCode).toBe(200);
    await sendState(oldRoom, "m.room.encryption", { algorithm: "m.megolm.v1.aes-sha2" });

    const answer = await upgrade(oldRoom, { new_version: "11" }, promoted);
    expect(answer.status).toBe(200);
    const copied = await state(answer.json.replacement_room, promoted);
    expect(stateOf(copied, "m.room.encryption")!.content.algorithm).toBe("m.megolm.v1.aes-sha2");
    expect(stateOf(copied, "m.room.power_levels")!.content.users[promoted.userId]).toBe(50);
  });

  it("answers 400 M_UNSUPPORTED_ROOM_VERSION for a version this server does not know", async () => {
    const oldRoom = await createRoom({ room_version: "11" });
    const answer = await upgrade(oldRoom, { new_version: "999" });
    expect(answer.status).toBe(400);
    expect(specErrors("POST", TEMPLATE, 400, answer.json)).toEqual([]);
    expect(answer.json.errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
  });

  it("answers 403 M_FORBIDDEN to a member without the power to send the tombstone, and to a non-member", async () => {
    const oldRoom = await createRoom({ room_version: "11", preset: "public_chat" });
    expect((await request("POST", `${room(oldRoom)}/join`, member, {})).statusCode).toBe(200);
    const weak = await upgrade(oldRoom, { new_version: "11" }, member);
    expect(weak.status).toBe(403);
    expect(specErrors("POST", TEMPLATE, 403, weak.json)).toEqual([]);
    expect(weak.json.errcode).toBe("M_FORBIDDEN");
    const outsider = await registerTestUser(app.http);
    expect((await upgrade(oldRoom, { new_version: "11" }, outsider)).json.errcode).toBe("M_FORBIDDEN");
    expect((await upgrade("!nowhere:test.local", { new_version: "11" })).json.errcode).toBe("M_FORBIDDEN");
    // Nothing was changed: no tombstone in the old room.
    expect(stateOf(await state(oldRoom), "m.room.tombstone")).toBeUndefined();
  });

  it("refuses malformed requests with 400: no new_version, wrong types, bad additional_creators, a bad room id", async () => {
    const oldRoom = await createRoom({ room_version: "11" });
    expect((await upgrade(oldRoom, {})).json.errcode).toBe("M_BAD_JSON");
    expect((await upgrade(oldRoom, { new_version: 12 })).json.errcode).toBe("M_BAD_JSON");
    expect((await upgrade(oldRoom, { new_version: "12", additional_creators: "@a:b" })).json.errcode).toBe("M_BAD_JSON");
    const badCreator = await upgrade(oldRoom, { new_version: "12", additional_creators: ["not a user"] });
    expect(badCreator.status).toBe(400);
    expect(badCreator.json.errcode).toBe("M_INVALID_PARAM");
    expect((await upgrade("not-a-room", { new_version: "11" })).json.errcode).toBe("M_INVALID_PARAM");
    expect((await upgrade(oldRoom, { new_version: "x".repeat(10_000) })).json.errcode).toBe("M_UNSUPPORTED_ROOM_VERSION");
    expect(stateOf(await state(oldRoom), "m.room.tombstone")).toBeUndefined();
  });

  it("is served under r0 too, as it was in r0.6.1", async () => {
    const oldRoom = await createRoom({ room_version: "11" });
    const response = await request("POST", `/_matrix/client/r0/rooms/${encodeURIComponent(oldRoom)}/upgrade`, owner, { new_version: "11" });
    expect(response.statusCode).toBe(200);
  });
});

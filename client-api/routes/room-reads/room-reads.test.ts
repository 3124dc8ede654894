import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../homeserver/rooms/testing/http-rooms.js";
import { specErrors } from "../../../homeserver/sync/testing/spec-schemas.js";

const V3 = "/_matrix/client/v3";

describe.each(testDrivers())("room read routes on %s", (driver) => {
  const {
    app,
    users: [alice, stranger],
  } = useTestApp(driver, { users: 2 });
  let roomId: string;
  let room: string;
  const messageIds: string[] = [];
  beforeAll(async () => {
    roomId = await createTestRoom(app.http, alice, { preset: "private_chat", topic: "reads" });
    room = `${V3}/rooms/${encodeURIComponent(roomId)}`;
    for (let i = 0; i < 6; i++) {
      const sent = await app.http.inject({ method: "PUT", url: `${room}/send/m.room.message/t${i}`, headers: bearer(alice), payload: { msgtype: "m.text", body: `r${i}` } });
      messageIds.push(sent.json().event_id);
    }
  });

  const get = (url: string, query: Record<string, string> = {}, who: TestUser = alice) => app.http.inject({ method: "GET", url, query, headers: bearer(who) });

  it("GET /messages conforms to the spec, paginates with its tokens and applies a JSON filter", async () => {
    const first = await get(`${room}/messages`, { dir: "b", limit: "2" });
    expect(first.statusCode).toBe(200);
    expect(specErrors(`${V3}/rooms/{roomId}/messages`, "GET", 200, first.json())).toEqual([]);
    expect(first.json().chunk.map((e: { event_id: string }) => e.event_id)).toEqual([messageIds[5], messageIds[4]]);
    const second = await get(`${room}/messages`, { dir: "b", limit: "2", from: first.json().end });
    expect(second.json().chunk.map((e: { event_id: string }) => e.event_id)).toEqual([messageIds[3], messageIds[2]]);
    const filtered = await get(`${room}/messages`, { dir: "f", filter: JSON.stringify({ types: ["m.room.topic"] }) });
    expect(filtered.json().chunk.map((e: { type: string }) => e.type)).toEqual(["m.room.topic"]);
  });

  it("GET /messages answers 400 without dir or with a bad filter, and 403 to a non-member", async () => {
    const missing = await get(`${room}/messages`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errcode).toBe("M_MISSING_PARAM");
    const badFilter = await get(`${room}/messages`, { dir: "b", filter: "{not json" });
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.json().errcode).toBe("M_NOT_JSON");
    const forbidden = await get(`${room}/messages`, { dir: "b" }, stranger);
    expect(forbidden.statusCode).toBe(403);
    expect(specErrors(`${V3}/rooms/{roomId}/messages`, "GET", 403, forbidden.json())).toEqual([]);
  });

  it("GET /context conforms to the spec", async () => {
    const response = await get(`${room}/context/${encodeURIComponent(messageIds[2])}`, { limit: "2" });
    expect(response.statusCode).toBe(200);
    expect(specErrors(`${V3}/rooms/{roomId}/context/{eventId}`, "GET", 200, response.json())).toEqual([]);
    expect(response.json().events_after.map((e: { event_id: string }) => e.event_id)).toEqual([messageIds[3]]);
    expect((await get(`${room}/context/${encodeURIComponent("$nope")}`)).statusCode).toBe(404);
  });

  it("GET /event answers the event, and 404 for unknown events and for users who may not see it", async () => {
    const url = `${room}/event/${encodeURIComponent(messageIds[0])}`;
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(specErrors(`${V3}/rooms/{roomId}/event/{eventId}`, "GET", 200, response.json())).toEqual([]);
    expect(response.json().content.body).toBe("r0");
    for (const denied of [await get(url, {}, stranger), await get(`${room}/event/${encodeURIComponent("$unknown")}`)]) {
      expect(denied.statusCode).toBe(404);
      expect(specErrors(`${V3}/rooms/{roomId}/event/{eventId}`, "GET", 404, denied.json())).toEqual([]);
    }
  });

  it("GET /state and /state/{type}/{stateKey} answer the current state, content or whole event", async () => {
    const state = await get(`${room}/state`);
    expect(state.statusCode).toBe(200);
    expect(specErrors(`${V3}/rooms/{roomId}/state`, "GET", 200, state.json())).toEqual([]);
    expect(state.json().map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.topic"]));
    const topic = await get(`${room}/state/m.room.topic`);
    expect(topic.json()).toEqual({ topic: "reads" });
    const withSlash = await get(`${room}/state/m.room.topic/`);
    expect(withSlash.json()).toEqual({ topic: "reads" });
    const asEvent = await get(`${room}/state/m.room.member/${encodeURIComponent(alice.userId)}`, { format: "event" });
    expect(asEvent.json()).toMatchObject({ type: "m.room.member", state_key: alice.userId, content: { membership: "join" } });
    const missing = await get(`${room}/state/m.room.name`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errcode).toBe("M_NOT_FOUND");
    expect((await get(`${room}/state`, {}, stranger)).statusCode).toBe(403);
  });

  it("GET /members, /joined_members and /joined_rooms conform to the spec", async () => {
    const members = await get(`${room}/members`, { membership: "join" });
    expect(members.statusCode).toBe(200);
    expect(specErrors(`${V3}/rooms/{roomId}/members`, "GET", 200, members.json())).toEqual([]);
    expect(members.json().chunk.map((e: { state_key: string }) => e.state_key)).toEqual([alice.userId]);
    const joined = await get(`${room}/joined_members`);
    expect(specErrors(`${V3}/rooms/{roomId}/joined_members`, "GET", 200, joined.json())).toEqual([]);
    expect(joined.json().joined[alice.userId]).toEqual({ display_name: alice.localpart });
    expect((await get(`${room}/joined_members`, {}, stranger)).statusCode).toBe(403);
    const rooms = await get(`${V3}/joined_rooms`);
    expect(specErrors(`${V3}/joined_rooms`, "GET", 200, rooms.json())).toEqual([]);
    expect(rooms.json().joined_rooms).toEqual([roomId]);
    expect((await get(`${room}/members`, { membership: "friends" })).statusCode).toBe(400);
  });
});

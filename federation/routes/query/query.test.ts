import { request as undiciRequest } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import { call, newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

/** Queries another server answers about its own aliases, users and published rooms, asked from B to A. */
describe.each(testDrivers())("federation queries (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: Requester;
  let roomId: string;

  const get = (path: string, query?: Record<string, string>) => call(b, a, "GET", path, undefined, query);

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await newUser(a, "alice");
    roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", visibility: "public", room_alias_name: "lobby", name: "The lobby", topic: "chat" });
  });
  afterAll(() => stopPeers(a, b));

  it("GET /query/directory resolves one of A's aliases to the room and servers to join through", async () => {
    expect(await get("/_matrix/federation/v1/query/directory", { room_alias: `#lobby:${a.name}` })).toEqual({
      status: 200,
      json: { room_id: roomId, servers: [a.name] },
    });
  });

  it("GET /query/directory answers 404 M_NOT_FOUND for an unknown alias or one of another server, 400 without the parameter", async () => {
    expect(await get("/_matrix/federation/v1/query/directory", { room_alias: `#nothing:${a.name}` })).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    expect(await get("/_matrix/federation/v1/query/directory", { room_alias: "#lobby:elsewhere.example" })).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    expect(await get("/_matrix/federation/v1/query/directory")).toMatchObject({ status: 400, json: { errcode: "M_MISSING_PARAM" } });
  });

  it("GET /query/profile gives a user's profile, or only the field asked for", async () => {
    await a.app.ctx.users.profiles.setField(alice, alice.userId, "displayname", "Alice A.");
    expect(await get("/_matrix/federation/v1/query/profile", { user_id: alice.userId })).toEqual({ status: 200, json: { displayname: "Alice A." } });
    expect(await get("/_matrix/federation/v1/query/profile", { user_id: alice.userId, field: "displayname" })).toEqual({
      status: 200,
      json: { displayname: "Alice A." },
    });
  });

  it("GET /query/profile answers 404 M_NOT_FOUND for an unknown user, a user elsewhere, or a field the user does not have", async () => {
    const queries: Array<Record<string, string>> = [
      { user_id: `@nobody:${a.name}` },
      { user_id: "@alice:elsewhere.example" },
      { user_id: alice.userId, field: "avatar_url" },
      { user_id: alice.userId, field: "m.tz" },
    ];
    for (const query of queries) {
      expect(await get("/_matrix/federation/v1/query/profile", query)).toMatchObject({ status: 404, json: { errcode: "M_NOT_FOUND" } });
    }
    expect(await get("/_matrix/federation/v1/query/profile")).toMatchObject({ status: 400, json: { errcode: "M_MISSING_PARAM" } });
  });

  it("GET and POST /publicRooms list A's published rooms, with the POST filter", async () => {
    const listed = await get("/_matrix/federation/v1/publicRooms", { limit: "10" });
    expect(listed.status).toBe(200);
    expect(listed.json.chunk).toContainEqual(expect.objectContaining({ room_id: roomId, name: "The lobby", num_joined_members: 1, canonical_alias: `#lobby:${a.name}` }));
    const found = await call(b, a, "POST", "/_matrix/federation/v1/publicRooms", { filter: { generic_search_term: "LOBBY" } });
    expect(found.json.chunk.map((r: { room_id: string }) => r.room_id)).toEqual([roomId]);
    const none = await call(b, a, "POST", "/_matrix/federation/v1/publicRooms", { filter: { generic_search_term: "no such room" } });
    expect(none.json.chunk).toEqual([]);
    // A third-party network we do not bridge has no rooms.
    const bridged = await call(b, a, "POST", "/_matrix/federation/v1/publicRooms", { third_party_instance_id: "irc-freenode" });
    expect(bridged.json.chunk).toEqual([]);
    const wrong = await call(b, a, "POST", "/_matrix/federation/v1/publicRooms", { limit: "ten" });
    expect(wrong).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
  });

  it("answers queries only to signed requests", async () => {
    const response = await undiciRequest(`http://${a.name}/_matrix/federation/v1/publicRooms`);
    expect(response.statusCode).toBe(401);
    expect(await response.body.json()).toMatchObject({ errcode: "M_UNAUTHORIZED" });
  });
});

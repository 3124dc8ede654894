import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../homeserver/app/test-app.js";
import { registerAdmin, registerUser, routeTestDrivers, specErrors, type TestUser } from "./directory-test-support.js";

const V3 = "/_matrix/client/v3";
const ALIAS_TEMPLATE = `${V3}/directory/room/{roomAlias}`;
const LIST_TEMPLATE = `${V3}/directory/list/room/{roomId}`;
const PUBLIC_ROOMS = `${V3}/publicRooms`;
const aliasUrl = (alias: string) => `${V3}/directory/room/${encodeURIComponent(alias)}`;
const listUrl = (roomId: string) => `${V3}/directory/list/room/${encodeURIComponent(roomId)}`;
const freshAlias = (name: string) => `#${name}-${randomBytes(4).toString("hex")}:test.local`;

describe.each(routeTestDrivers())("room directory routes on %s", (driver) => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    app = await createTestApp(driver);
    alice = await registerUser(app, "alice");
    bob = await registerUser(app, "bob");
  });
  afterAll(() => app.dispose());

  /** Sends a request and checks the reply against the spec's schema for that operation and status. */
  async function call(method: "GET" | "PUT" | "POST" | "DELETE", url: string, template: string, options: { user?: TestUser; body?: unknown; token?: string } = {}) {
    const token = options.token ?? options.user?.token;
    const response = await app.http.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(options.body === undefined ? {} : typeof options.body === "string" ? { body: options.body } : { payload: options.body as object }),
    });
    const body = response.json();
    expect(specErrors(method, template, response.statusCode, body), `${method} ${url} -> ${response.statusCode} ${response.body}`).toBeNull();
    return { status: response.statusCode, body };
  }
  const createRoom = async (user: TestUser, body: Record<string, unknown> = { preset: "public_chat" }) =>
    (await call("POST", `${V3}/createRoom`, `${V3}/createRoom`, { user, body })).body.room_id as string;
  const join = (user: TestUser, roomId: string) => call("POST", `${V3}/join/${encodeURIComponent(roomId)}`, `${V3}/join/{roomIdOrAlias}`, { user, body: {} });

  describe("PUT, GET and DELETE /directory/room/{roomAlias}", () => {
    it("creates an alias that anyone, even without a token, resolves to the room and this server", async () => {
      const roomId = await createRoom(alice);
      const alias = freshAlias("hello");
      expect(await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } })).toEqual({ status: 200, body: {} });
      expect(await call("GET", aliasUrl(alias), ALIAS_TEMPLATE)).toEqual({ status: 200, body: { room_id: roomId, servers: ["test.local"] } });
    });

    it("answers 409 for an alias that already exists", async () => {
      const roomId = await createRoom(alice);
      const alias = freshAlias("twice");
      await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } });
      expect((await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } })).status).toBe(409);
    });

    it("answers 400 M_INVALID_PARAM for a malformed alias or one on another server", async () => {
      const roomId = await createRoom(alice);
      for (const alias of ["#nocolon", "plain:test.local", "#x:other.example"]) {
        const reply = await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } });
        expect(reply).toMatchObject({ status: 400, body: { errcode: "M_INVALID_PARAM" } });
      }
      expect((await call("GET", aliasUrl("#nocolon"), ALIAS_TEMPLATE)).body.errcode).toBe("M_INVALID_PARAM");
    });

    it("answers 400 for a body without a room id or that is not JSON, and 401 without a token", async () => {
      const alias = freshAlias("bad");
      expect((await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: {} })).body.errcode).toBe("M_BAD_JSON");
      expect((await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: 42 } })).body.errcode).toBe("M_BAD_JSON");
      expect((await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: "{not json" })).body.errcode).toBe("M_NOT_JSON");
      expect(await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { body: { room_id: "!r:test.local" } })).toMatchObject({
        status: 401,
        body: { errcode: "M_MISSING_TOKEN" },
      });
    });

    it("refuses an alias for a room the user is not in with 403", async () => {
      const roomId = await createRoom(alice);
      const reply = await call("PUT", aliasUrl(freshAlias("intruder")), ALIAS_TEMPLATE, { user: bob, body: { room_id: roomId } });
      expect(reply).toMatchObject({ status: 403, body: { errcode: "M_FORBIDDEN" } });
    });

    it("answers 404 M_NOT_FOUND for an unknown alias, on GET and on DELETE", async () => {
      const alias = freshAlias("nobody");
      expect(await call("GET", aliasUrl(alias), ALIAS_TEMPLATE)).toMatchObject({ status: 404, body: { errcode: "M_NOT_FOUND" } });
      expect(await call("DELETE", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice })).toMatchObject({ status: 404, body: { errcode: "M_NOT_FOUND" } });
    });

    it("deletes an alias for its creator, refuses a member without power with 403, and allows a server admin", async () => {
      const roomId = await createRoom(alice);
      await join(bob, roomId);
      const alias = freshAlias("gone");
      await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } });
      expect(await call("DELETE", aliasUrl(alias), ALIAS_TEMPLATE, { user: bob })).toMatchObject({ status: 403, body: { errcode: "M_FORBIDDEN" } });
      expect(await call("DELETE", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice })).toEqual({ status: 200, body: {} });
      expect((await call("GET", aliasUrl(alias), ALIAS_TEMPLATE)).status).toBe(404);
      const another = freshAlias("admin");
      await call("PUT", aliasUrl(another), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } });
      expect((await call("DELETE", aliasUrl(another), ALIAS_TEMPLATE, { user: await registerAdmin(app) })).status).toBe(200);
    });

    it("takes a deleted canonical alias out of m.room.canonical_alias", async () => {
      const name = `canon${randomBytes(4).toString("hex")}`;
      const roomId = await createRoom(alice, { preset: "public_chat", room_alias_name: name });
      await call("DELETE", aliasUrl(`#${name}:test.local`), ALIAS_TEMPLATE, { user: alice });
      // GET /rooms/{roomId}/state is not served yet; the room's current state is read from the core instead.
      const memory = await app.ctx.rooms.persister.roomMemory(roomId);
      expect(memory!.stateEvent("m.room.canonical_alias")?.content).toEqual({});
    });
  });

  describe("GET /rooms/{roomId}/aliases", () => {
    const template = `${V3}/rooms/{roomId}/aliases`;
    const url = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}/aliases`;

    it("lists the room's local aliases to a member and refuses others with 403 M_FORBIDDEN", async () => {
      const roomId = await createRoom(alice);
      const alias = freshAlias("listed");
      await call("PUT", aliasUrl(alias), ALIAS_TEMPLATE, { user: alice, body: { room_id: roomId } });
      expect(await call("GET", url(roomId), template, { user: alice })).toEqual({ status: 200, body: { aliases: [alias] } });
      expect(await call("GET", url(roomId), template, { user: bob })).toMatchObject({ status: 403, body: { errcode: "M_FORBIDDEN" } });
    });

    it("answers 400 for a room id without its sigil and 401 without a token", async () => {
      expect((await call("GET", url("not-a-room"), template, { user: alice })).body.errcode).toBe("M_INVALID_PARAM");
      expect((await call("GET", url("!r:test.local"), template)).status).toBe(401);
    });
  });

  describe("GET and PUT /directory/list/room/{roomId}", () => {
    it("reports private for a new room and public once its owner publishes it; no token needed to read", async () => {
      const roomId = await createRoom(alice);
      expect(await call("GET", listUrl(roomId), LIST_TEMPLATE)).toEqual({ status: 200, body: { visibility: "private" } });
      expect(await call("PUT", listUrl(roomId), LIST_TEMPLATE, { user: alice, body: {} })).toEqual({ status: 200, body: {} });
      expect((await call("GET", listUrl(roomId), LIST_TEMPLATE)).body).toEqual({ visibility: "public" });
      await call("PUT", listUrl(roomId), LIST_TEMPLATE, { user: alice, body: { visibility: "private" } });
      expect((await call("GET", listUrl(roomId), LIST_TEMPLATE)).body).toEqual({ visibility: "private" });
    });

    it("answers 404 for an unknown room, 403 for a member without power, 400 for an unknown visibility", async () => {
      const unknown = "!unknown:test.local";
      expect(await call("GET", listUrl(unknown), LIST_TEMPLATE)).toMatchObject({ status: 404, body: { errcode: "M_NOT_FOUND" } });
      expect((await call("PUT", listUrl(unknown), LIST_TEMPLATE, { user: alice, body: { visibility: "public" } })).status).toBe(404);
      const roomId = await createRoom(alice);
      await join(bob, roomId);
      expect(await call("PUT", listUrl(roomId), LIST_TEMPLATE, { user: bob, body: { visibility: "public" } })).toMatchObject({
        status: 403,
        body: { errcode: "M_FORBIDDEN" },
      });
      expect((await call("PUT", listUrl(roomId), LIST_TEMPLATE, { user: alice, body: { visibility: "secret" } })).body.errcode).toBe("M_BAD_JSON");
    });
  });

  describe("GET and POST /publicRooms", () => {
    it("lists published rooms to a client without a token, in pages linked by next_batch and prev_batch", async () => {
      for (let i = 0; i < 3; i++) await createRoom(alice, { preset: "public_chat", visibility: "public", name: `listed ${i}` });
      const first = await call("GET", `${PUBLIC_ROOMS}?limit=2`, PUBLIC_ROOMS);
      expect(first.status).toBe(200);
      expect(first.body.chunk).toHaveLength(2);
      expect(first.body.total_room_count_estimate).toBeGreaterThanOrEqual(3);
      const second = await call("GET", `${PUBLIC_ROOMS}?limit=2&since=${encodeURIComponent(first.body.next_batch)}`, PUBLIC_ROOMS);
      expect(second.body.chunk[0].room_id).not.toBe(first.body.chunk[0].room_id);
      const back = await call("GET", `${PUBLIC_ROOMS}?limit=2&since=${encodeURIComponent(second.body.prev_batch)}`, PUBLIC_ROOMS);
      expect(back.body.chunk).toEqual(first.body.chunk);
    });

    it("answers 400 M_INVALID_PARAM for a bad limit or since, and 502 when another server's directory cannot be reached", async () => {
      for (const query of ["limit=abc", "limit=-1", "since=garbage"]) {
        expect(await call("GET", `${PUBLIC_ROOMS}?${query}`, PUBLIC_ROOMS)).toMatchObject({ status: 400, body: { errcode: "M_INVALID_PARAM" } });
      }
      expect((await call("GET", `${PUBLIC_ROOMS}?server=test.local`, PUBLIC_ROOMS)).status).toBe(200);
      // `.invalid` never resolves: the server asks over federation and reports the failure, never a 500.
      expect(await call("GET", `${PUBLIC_ROOMS}?server=unreachable.invalid`, PUBLIC_ROOMS)).toMatchObject({ status: 502, body: { errcode: "M_UNKNOWN" } });
    });

    it("rejects an access token that is sent but unknown with 401 M_UNKNOWN_TOKEN", async () => {
      expect(await call("GET", PUBLIC_ROOMS, PUBLIC_ROOMS, { token: "nonsense" })).toMatchObject({ status: 401, body: { errcode: "M_UNKNOWN_TOKEN" } });
    });

    it("filters by a search term over name, topic and canonical alias when POSTed with a token", async () => {
      const tag = `needle${randomBytes(3).toString("hex")}`;
      const byName = await createRoom(alice, { preset: "public_chat", visibility: "public", name: `The ${tag} room` });
      const byTopic = await createRoom(bob, { preset: "public_chat", visibility: "public", topic: `about ${tag.toUpperCase()}` });
      await join(alice, byTopic);
      const byAlias = await createRoom(alice, { preset: "public_chat", visibility: "public", room_alias_name: `${tag}-alias` });
      const body = { filter: { generic_search_term: tag }, include_all_networks: true, limit: 10 };
      const reply = await call("POST", PUBLIC_ROOMS, PUBLIC_ROOMS, { user: bob, body });
      expect(reply.status).toBe(200);
      expect(reply.body.chunk.map((room: { room_id: string }) => room.room_id)).toEqual([byTopic, ...[byName, byAlias].sort()]);
      expect(reply.body.chunk[0]).toMatchObject({ num_joined_members: 2, topic: `about ${tag.toUpperCase()}`, join_rule: "public", world_readable: false });
      expect(reply.body.total_room_count_estimate).toBe(3);
    });

    it("requires a token to POST, and answers 400 M_BAD_JSON for a malformed filter", async () => {
      expect((await call("POST", PUBLIC_ROOMS, PUBLIC_ROOMS, { body: {} })).body.errcode).toBe("M_MISSING_TOKEN");
      const reply = await call("POST", PUBLIC_ROOMS, PUBLIC_ROOMS, { user: alice, body: { filter: { generic_search_term: 7 } } });
      expect(reply).toMatchObject({ status: 400, body: { errcode: "M_BAD_JSON" } });
      expect((await call("POST", `${PUBLIC_ROOMS}?server=unreachable.invalid`, PUBLIC_ROOMS, { user: alice, body: {} })).status).toBe(502);
    });
  });
});

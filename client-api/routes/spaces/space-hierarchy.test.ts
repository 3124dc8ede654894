import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const TEMPLATE = "/_matrix/client/v1/rooms/{roomId}/hierarchy";
const url = (roomId: string, query: Record<string, string> = {}) => {
  const search = new URLSearchParams(query).toString();
  return `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/hierarchy${search ? `?${search}` : ""}`;
};

interface Chunk {
  room_id: string;
  name?: string;
  room_type?: string;
  join_rule?: string;
  world_readable: boolean;
  num_joined_members: number;
  children_state: Array<{ type: string; state_key: string; content: Record<string, unknown>; sender: string; origin_server_ts: number }>;
}

describe.each(testDrivers())("GET /hierarchy on %s", (driver) => {
  const {
    app,
    users: [owner, stranger],
  } = useTestApp(driver, { users: 2 });
  const via = () => [app.ctx.serverName];

  const request = (method: "GET" | "POST" | "PUT", path: string, who: TestUser, payload?: unknown) =>
    app.http.inject({ method, url: path, headers: bearer(who), payload: payload as object | undefined });
  const createRoom = async (body: Record<string, unknown>, who: TestUser = owner): Promise<string> => {
    const response = await request("POST", "/_matrix/client/v3/createRoom", who, body);
    expect(response.statusCode).toBe(200);
    return response.json().room_id;
  };
  const createSpace = (name: string, extra: Record<string, unknown> = {}) =>
    createRoom({ name, preset: "public_chat", creation_content: { type: "m.space" }, ...extra });
  const addChild = async (spaceId: string, childId: string, content: Record<string, unknown> = { via: via() }) => {
    const response = await request("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(spaceId)}/state/m.space.child/${encodeURIComponent(childId)}`, owner, content);
    expect(response.statusCode).toBe(200);
  };
  const hierarchy = async (roomId: string, who: TestUser, query: Record<string, string> = {}) => {
    const response = await request("GET", url(roomId, query), who);
    return { status: response.statusCode, json: response.json() };
  };
  const ids = (rooms: Chunk[]) => rooms.map((r) => r.room_id);

  it("walks the space depth first: the space, a sub-space and its rooms, then the space's other rooms, with stripped children", async () => {
    const space = await createSpace("Top");
    const sub = await createSpace("Sub");
    const general = await createRoom({ name: "General", preset: "public_chat" });
    const deep = await createRoom({ name: "Deep", preset: "public_chat" });
    await addChild(space, general, { via: via(), order: "b" });
    await addChild(space, sub, { via: via(), order: "a" });
    await addChild(sub, deep);

    const { status, json } = await hierarchy(space, stranger);
    expect(status).toBe(200);
    expect(specErrors("GET", TEMPLATE, 200, json)).toEqual([]);
    expect(ids(json.rooms)).toEqual([space, sub, deep, general]);
    expect(json.next_batch).toBeUndefined();
    const top = json.rooms[0] as Chunk;
    expect(top).toMatchObject({ name: "Top", room_type: "m.space", join_rule: "public", num_joined_members: 1, world_readable: false });
    expect(top.children_state.map((c) => c.state_key)).toEqual([sub, general]);
    expect(top.children_state[0]).toEqual({
      type: "m.space.child",
      state_key: sub,
      content: { via: via(), order: "a" },
      sender: owner.userId,
      origin_server_ts: expect.any(Number),
    });
    // A room that is not a space has no children to show.
    expect((json.rooms[3] as Chunk).children_state).toEqual([]);
  });

  it("leaves out rooms the user may not see, shows invite-only rooms to members and invitees, and world-readable rooms to anyone", async () => {
    const space = await createSpace("Mixed");
    const secret = await createRoom({ name: "Secret", preset: "private_chat" });
    const invited = await createRoom({ name: "Invited", preset: "private_chat", invite: [stranger.userId] });
    const readable = await createRoom({
      name: "Readable",
      preset: "private_chat",
      initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "world_readable" } }],
    });
    for (const child of [secret, invited, readable]) await addChild(space, child);

    const forStranger = await hierarchy(space, stranger);
    expect(forStranger.status).toBe(200);
    expect(ids(forStranger.json.rooms).sort()).toEqual([space, invited, readable].sort());
    expect(forStranger.json.rooms.find((r: Chunk) => r.room_id === readable).world_readable).toBe(true);
    // The space still lists the link; only the room's summary is withheld.
    expect(forStranger.json.rooms[0].children_state).toHaveLength(3);
    const forOwner = await hierarchy(space, owner);
    expect(ids(forOwner.json.rooms).sort()).toEqual([space, secret, invited, readable].sort());
  });

  it("shows a restricted room to members of a room its join rule names", async () => {
    const space = await createSpace("Restricted parent");
    const members = await createRoom({ name: "Members only", preset: "private_chat", room_version: "10" });
    await request("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(members)}/state/m.room.join_rules`, owner, {
      join_rule: "restricted",
      allow: [{ type: "m.room_membership", room_id: space }],
    });
    await addChild(space, members);
    expect(ids((await hierarchy(space, stranger)).json.rooms)).toEqual([space]);
    expect((await request("POST", `/_matrix/client/v3/join/${encodeURIComponent(space)}`, stranger, {})).statusCode).toBe(200);
    expect(ids((await hierarchy(space, stranger)).json.rooms)).toEqual([space, members]);
  });

  it("answers 403 M_FORBIDDEN for a root the user may not see, or that this server does not hold", async () => {
    const secret = await createSpace("Private space", { preset: "private_chat" });
    const denied = await hierarchy(secret, stranger);
    expect(denied.status).toBe(403);
    expect(specErrors("GET", TEMPLATE, 403, denied.json)).toEqual([]);
    expect(denied.json.errcode).toBe("M_FORBIDDEN");
    expect((await hierarchy("!unknown:elsewhere.example", owner)).json.errcode).toBe("M_FORBIDDEN");
  });

  it("keeps only suggested children with suggested_only, and stops at max_depth", async () => {
    const space = await createSpace("Depths");
    const sub = await createSpace("Depth one");
    const leaf = await createRoom({ name: "Depth two", preset: "public_chat" });
    const other = await createRoom({ name: "Not suggested", preset: "public_chat" });
    await addChild(space, sub, { via: via(), suggested: true });
    await addChild(space, other);
    await addChild(sub, leaf, { via: via(), suggested: true });

    const suggested = await hierarchy(space, owner, { suggested_only: "true" });
    expect(ids(suggested.json.rooms)).toEqual([space, sub, leaf]);
    expect(suggested.json.rooms[0].children_state.map((c: { state_key: string }) => c.state_key)).toEqual([sub]);
    expect(ids((await hierarchy(space, owner, { max_depth: "0" })).json.rooms)).toEqual([space]);
    expect(ids((await hierarchy(space, owner, { max_depth: "1" })).json.rooms).sort()).toEqual([space, sub, other].sort());
  });

  it("ignores removed children (no via) and visits a room of a loop once", async () => {
    const space = await createSpace("Loop A");
    const other = await createSpace("Loop B");
    const removed = await createRoom({ name: "Removed", preset: "public_chat" });
    await addChild(space, other);
    await addChild(other, space);
    await addChild(space, removed, {});
    const { json } = await hierarchy(space, owner);
    expect(ids(json.rooms)).toEqual([space, other]);
    expect(json.rooms[0].children_state.map((c: { state_key: string }) => c.state_key)).toEqual([other]);
  });

  it("paginates with limit and next_batch, and refuses a token used with other parameters", async () => {
    const space = await createSpace("Paged");
    const children: string[] = [];
    for (let i = 0; i < 4; i++) children.push(await createRoom({ name: `Child ${i}`, preset: "public_chat" }));
    for (const [i, child] of children.entries()) await addChild(space, child, { via: via(), order: `${i}` });

    const first = await hierarchy(space, owner, { limit: "2" });
    expect(ids(first.json.rooms)).toEqual([space, children[0]]);
    expect(typeof first.json.next_batch).toBe("string");
    const second = await hierarchy(space, owner, { limit: "2", from: first.json.next_batch });
    expect(specErrors("GET", TEMPLATE, 200, second.json)).toEqual([]);
    expect(ids(second.json.rooms)).toEqual([children[1], children[2]]);
    const third = await hierarchy(space, owner, { limit: "2", from: second.json.next_batch });
    expect(ids(third.json.rooms)).toEqual([children[3]]);
    expect(third.json.next_batch).toBeUndefined();

    const mismatched: Array<Record<string, string>> = [
      { from: first.json.next_batch, suggested_only: "true" },
      { from: first.json.next_batch, max_depth: "3" },
      { from: "no-such-token" },
    ];
    for (const query of mismatched) {
      const refused = await hierarchy(space, owner, query);
      expect(refused.status).toBe(400);
      expect(specErrors("GET", TEMPLATE, 400, refused.json)).toEqual([]);
      expect(refused.json.errcode).toBe("M_INVALID_PARAM");
    }
    // Another user cannot continue someone else's walk.
    expect((await hierarchy(space, stranger, { from: first.json.next_batch })).json.errcode).toBe("M_INVALID_PARAM");
  });

  it("answers 400 M_INVALID_PARAM for a limit below one, a negative depth, a non-boolean suggested_only or a bad room id", async () => {
    const space = await createSpace("Params");
    const invalid: Array<Record<string, string>> = [{ limit: "0" }, { limit: "ten" }, { max_depth: "-1" }, { suggested_only: "perhaps" }];
    for (const query of invalid) {
      const response = await hierarchy(space, owner, query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.json.errcode).toBe("M_INVALID_PARAM");
    }
    for (const bad of ["not-a-room", "#alias:test.local", "!room:bad server"]) {
      expect((await hierarchy(bad, owner)).json.errcode).toBe("M_INVALID_PARAM");
    }
    expect((await app.http.inject({ method: "GET", url: url(space) })).statusCode).toBe(401);
  });
});

import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const globalUrl = (userId: string, type: string) => `/_matrix/client/v3/user/${encodeURIComponent(userId)}/account_data/${encodeURIComponent(type)}`;
const roomUrl = (userId: string, roomId: string, type: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent(roomId)}/account_data/${encodeURIComponent(type)}`;
const tagsUrl = (userId: string, roomId: string, tag?: string) =>
  `/_matrix/client/v3/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent(roomId)}/tags${tag ? `/${encodeURIComponent(tag)}` : ""}`;

describe.each(testDrivers())("account data routes on %s", (driver) => {
  const {
    app,
    users: [user],
  } = useTestApp(driver, { users: 1 });

  const request = (method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown, who: TestUser = user) =>
    app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });

  it("PUT then GET global account data round-trips the content", async () => {
    const put = await request("PUT", globalUrl(user.userId, "org.example.settings"), { theme: "dark", n: [1, 2] });
    expect(put.statusCode).toBe(200);
    expect(specErrors("PUT", "/_matrix/client/v3/user/{userId}/account_data/{type}", 200, put.json())).toEqual([]);
    const get = await request("GET", globalUrl(user.userId, "org.example.settings"));
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual({ theme: "dark", n: [1, 2] });
  });

  it("answers 404 M_NOT_FOUND for a type never set", async () => {
    const response = await request("GET", globalUrl(user.userId, "org.example.never"));
    expect(response.statusCode).toBe(404);
    expect(specErrors("GET", "/_matrix/client/v3/user/{userId}/account_data/{type}", 404, response.json())).toEqual([]);
    expect(response.json().errcode).toBe("M_NOT_FOUND");
  });

  it("refuses to read or write another user's account data with 403 M_FORBIDDEN", async () => {
    const other = await registerTestUser(app.http);
    const read = await request("GET", globalUrl(other.userId, "org.example.settings"));
    expect(read.statusCode).toBe(403);
    expect(read.json().errcode).toBe("M_FORBIDDEN");
    expect((await request("PUT", globalUrl(other.userId, "x"), {})).statusCode).toBe(403);
    expect((await request("PUT", roomUrl(other.userId, "!r:test.local", "x"), {})).statusCode).toBe(403);
    expect((await request("GET", tagsUrl(other.userId, "!r:test.local"))).statusCode).toBe(403);
  });

  it.each(["m.fully_read", "m.push_rules"])("refuses client writes of the server-controlled %s with 405 M_BAD_JSON", async (type) => {
    const global = await request("PUT", globalUrl(user.userId, type), { event_id: "$x" });
    expect(global.statusCode).toBe(405);
    expect(specErrors("PUT", "/_matrix/client/v3/user/{userId}/account_data/{type}", 405, global.json())).toEqual([]);
    expect(global.json().errcode).toBe("M_BAD_JSON");
    const room = await request("PUT", roomUrl(user.userId, "!r:test.local", type), { event_id: "$x" });
    expect(room.statusCode).toBe(405);
  });

  it("answers a body that is not a JSON object with 400 M_BAD_JSON or M_NOT_JSON (the spec allows either)", async () => {
    const array = await request("PUT", globalUrl(user.userId, "org.example.array"), [1, 2]);
    expect(array.statusCode).toBe(400);
    expect(["M_BAD_JSON", "M_NOT_JSON"]).toContain(array.json().errcode);
    const none = await request("PUT", globalUrl(user.userId, "org.example.none"));
    expect(none.statusCode).toBe(400);
    expect(none.json().errcode).toBe("M_NOT_JSON");
  });

  it("keeps room account data per room, apart from global account data of the same type", async () => {
    await request("PUT", roomUrl(user.userId, "!one:test.local", "org.example.per_room"), { room: 1 });
    await request("PUT", roomUrl(user.userId, "!two:test.local", "org.example.per_room"), { room: 2 });
    const one = await request("GET", roomUrl(user.userId, "!one:test.local", "org.example.per_room"));
    expect(specErrors("GET", "/_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}", 200, one.json())).toEqual([]);
    expect(one.json()).toEqual({ room: 1 });
    expect((await request("GET", roomUrl(user.userId, "!two:test.local", "org.example.per_room"))).json()).toEqual({ room: 2 });
    expect((await request("GET", globalUrl(user.userId, "org.example.per_room"))).statusCode).toBe(404);
  });

  it("answers an invalid room id with 400 M_INVALID_PARAM", async () => {
    const response = await request("PUT", roomUrl(user.userId, "not-a-room", "org.example.x"), {});
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_INVALID_PARAM");
    expect((await request("GET", roomUrl(user.userId, "not-a-room", "org.example.x"))).json().errcode).toBe("M_INVALID_PARAM");
  });

  it("room tags: PUT adds a tag with its order, GET lists them, DELETE removes one; stored as m.tag room account data", async () => {
    const room = "!tagged:test.local";
    expect((await request("GET", tagsUrl(user.userId, room))).json()).toEqual({ tags: {} });
    expect((await request("PUT", tagsUrl(user.userId, room, "m.favourite"), { order: 0.25 })).statusCode).toBe(200);
    expect((await request("PUT", tagsUrl(user.userId, room, "u.work"), {})).statusCode).toBe(200);
    const tags = await request("GET", tagsUrl(user.userId, room));
    expect(specErrors("GET", "/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags", 200, tags.json())).toEqual([]);
    expect(tags.json()).toEqual({ tags: { "m.favourite": { order: 0.25 }, "u.work": {} } });

    const deleted = await request("DELETE", tagsUrl(user.userId, room, "m.favourite"));
    expect(deleted.statusCode).toBe(200);
    expect(specErrors("DELETE", "/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}", 200, deleted.json())).toEqual([]);
    expect((await request("GET", roomUrl(user.userId, room, "m.tag"))).json()).toEqual({ tags: { "u.work": {} } });
  });

  it("concurrent tag writes to one room all survive (each read-modify-write is serialised)", async () => {
    const room = "!busy:test.local";
    const names = Array.from({ length: 8 }, (_, i) => `u.tag${i}`);
    const responses = await Promise.all(names.map((tag) => request("PUT", tagsUrl(user.userId, room, tag), { order: 0.5 })));
    expect(responses.map((r) => r.statusCode)).toEqual(names.map(() => 200));
    expect(Object.keys((await request("GET", tagsUrl(user.userId, room))).json().tags).sort()).toEqual(names.sort());
  });

  it("rejects a tag order that is not a number with 400 M_BAD_JSON", async () => {
    const response = await request("PUT", tagsUrl(user.userId, "!r:test.local", "u.x"), { order: "first" });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_BAD_JSON");
  });

  it("answers NUL characters in the type or room id with 400 M_INVALID_PARAM, never a server error", async () => {
    expect((await request("PUT", globalUrl(user.userId, "bad\u0000type"), {})).statusCode).toBe(400);
    const read = await request("GET", globalUrl(user.userId, "bad\u0000type"));
    expect(read.statusCode).toBe(400);
    expect(read.json().errcode).toBe("M_INVALID_PARAM");
    expect((await request("PUT", roomUrl(user.userId, "!a\u0000b", "x"), {})).statusCode).toBe(400);
    expect((await request("PUT", tagsUrl(user.userId, "!a\u0000b", "u.x"), {})).statusCode).toBe(400);
  });
});

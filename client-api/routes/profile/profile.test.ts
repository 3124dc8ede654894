import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const profileUrl = (userId: string, key?: string) =>
  `/_matrix/client/v3/profile/${encodeURIComponent(userId)}${key ? `/${encodeURIComponent(key)}` : ""}`;

describe.each(testDrivers())("profile routes on %s", (driver) => {
  const { app } = useTestApp(driver);
  const changes: Array<{ userId: string; profile: unknown }> = [];
  beforeAll(async () => {
    app.ctx.rooms.onProfileChanged = async (userId, profile) => void changes.push({ userId, profile });
  });

  const put = (user: TestUser, target: string, key: string, payload: unknown) =>
    app.http.inject({ method: "PUT", url: profileUrl(target, key), headers: bearer(user), payload: payload as object });

  it("GET /profile/{userId} answers the display name (initially the localpart) without authentication", async () => {
    const user = await registerTestUser(app.http);
    const response = await app.http.inject({ method: "GET", url: profileUrl(user.userId) });
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/profile/{userId}", 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({ displayname: user.localpart });
  });

  it("answers 404 M_NOT_FOUND for an unknown user", async () => {
    const response = await app.http.inject({ method: "GET", url: profileUrl("@nobody:test.local") });
    expect(response.statusCode).toBe(404);
    expect(specErrors("GET", "/_matrix/client/v3/profile/{userId}", 404, response.json())).toEqual([]);
    expect(response.json().errcode).toBe("M_NOT_FOUND");
    expect((await app.http.inject({ method: "GET", url: profileUrl("@nobody:test.local", "displayname") })).statusCode).toBe(404);
  });

  it("PUT displayname and avatar_url change the profile and tell the rooms domain", async () => {
    const user = await registerTestUser(app.http);
    expect((await put(user, user.userId, "displayname", { displayname: "Alice" })).statusCode).toBe(200);
    const avatar = await put(user, user.userId, "avatar_url", { avatar_url: "mxc://test.local/abc" });
    expect(avatar.statusCode).toBe(200);
    expect(specErrors("PUT", "/_matrix/client/v3/profile/{userId}/{keyName}", 200, avatar.json())).toEqual([]);
    const name = await app.http.inject({ method: "GET", url: profileUrl(user.userId, "displayname") });
    expect(specErrors("GET", "/_matrix/client/v3/profile/{userId}/{keyName}", 200, name.json())).toEqual([]);
    expect(name.json()).toEqual({ displayname: "Alice" });
    expect((await app.http.inject({ method: "GET", url: profileUrl(user.userId, "avatar_url") })).json()).toEqual({ avatar_url: "mxc://test.local/abc" });
    expect(changes.filter((c) => c.userId === user.userId).at(-1)?.profile).toEqual({ displayname: "Alice", avatar_url: "mxc://test.local/abc" });
  });

  it("answers 404 for a field that is not set", async () => {
    const user = await registerTestUser(app.http);
    const response = await app.http.inject({ method: "GET", url: profileUrl(user.userId, "avatar_url") });
    expect(response.statusCode).toBe(404);
    expect(response.json().errcode).toBe("M_NOT_FOUND");
  });

  it("refuses to change another user's profile with 403 M_FORBIDDEN", async () => {
    const user = await registerTestUser(app.http);
    const victim = await registerTestUser(app.http);
    const response = await put(user, victim.userId, "displayname", { displayname: "pwned" });
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("requires the key in the body (400 M_MISSING_PARAM) and a string value (400 M_BAD_JSON)", async () => {
    const user = await registerTestUser(app.http);
    const missing = await put(user, user.userId, "displayname", { avatar_url: "x" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errcode).toBe("M_MISSING_PARAM");
    const wrongType = await put(user, user.userId, "displayname", { displayname: 12 });
    expect(wrongType.json().errcode).toBe("M_BAD_JSON");
    const tooLong = await put(user, user.userId, "displayname", { displayname: "x".repeat(257) });
    expect(tooLong.statusCode).toBe(400);
    const notJson = await app.http.inject({ method: "PUT", url: profileUrl(user.userId, "displayname"), headers: bearer(user) });
    expect(notJson.json().errcode).toBe("M_NOT_JSON");
  });

  it("refuses custom profile fields (403), which also never exist (GET 404, DELETE 200)", async () => {
    const user = await registerTestUser(app.http);
    expect((await put(user, user.userId, "m.tz", { "m.tz": "Europe/London" })).statusCode).toBe(403);
    expect((await app.http.inject({ method: "GET", url: profileUrl(user.userId, "m.tz") })).statusCode).toBe(404);
    expect((await app.http.inject({ method: "DELETE", url: profileUrl(user.userId, "m.tz"), headers: bearer(user) })).statusCode).toBe(200);
    const invalidKey = await put(user, user.userId, "Not Valid", { "Not Valid": 1 });
    expect(invalidKey.statusCode).toBe(400);
  });

  it("DELETE of a field, or PUT with an empty string, clears it", async () => {
    const user = await registerTestUser(app.http);
    await put(user, user.userId, "avatar_url", { avatar_url: "mxc://test.local/x" });
    const deleted = await app.http.inject({ method: "DELETE", url: profileUrl(user.userId, "avatar_url"), headers: bearer(user) });
    expect(deleted.statusCode).toBe(200);
    expect(specErrors("DELETE", "/_matrix/client/v3/profile/{userId}/{keyName}", 200, deleted.json())).toEqual([]);
    await put(user, user.userId, "displayname", { displayname: "" });
    expect((await app.http.inject({ method: "GET", url: profileUrl(user.userId) })).json()).toEqual({});
  });

  it("answers NUL characters in user ids and values with 4xx, never a server error", async () => {
    const user = await registerTestUser(app.http);
    const read = await app.http.inject({ method: "GET", url: profileUrl("@a\u0000b:test.local") });
    expect(read.statusCode).toBe(400);
    expect(read.json().errcode).toBe("M_INVALID_PARAM");
    expect((await put(user, user.userId, "displayname", { displayname: "a\u0000b" })).statusCode).toBe(400);
    const login = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/login",
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: "a\u0000b" }, password: "x" },
    });
    expect(login.statusCode).toBe(400);
    expect(login.json().errcode).toBe("M_BAD_JSON");
  });
});

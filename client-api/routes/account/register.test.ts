import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { freshLocalpart, registerTestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const REGISTER = "/_matrix/client/v3/register";
const PASSWORD = "a good long password";

describe.each(testDrivers())("registration on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  const register = (payload: unknown, query = "") => app.http.inject({ method: "POST", url: `${REGISTER}${query}`, payload: payload as object });

  it("answers a request without auth with the UIA 401: the m.login.dummy flow and a session, no errcode", async () => {
    const response = await register({ username: freshLocalpart(), password: PASSWORD });
    expect(response.statusCode).toBe(401);
    const body = response.json();
    expect(specErrors("POST", "/_matrix/client/v3/register", 401, body)).toEqual([]);
    expect(body.flows).toEqual([{ stages: ["m.login.dummy"] }]);
    expect(typeof body.session).toBe("string");
    expect(body.completed).toEqual([]);
    expect(body.errcode).toBeUndefined();
  });

  it("hashes the password at the configured scrypt cost (password_scrypt_log_n), and the password logs in", async () => {
    const cheap = await createTestApp(driver, { password_scrypt_log_n: 11 });
    try {
      const user = await registerTestUser(cheap.http, { password: PASSWORD });
      const row = await cheap.ctx.db.selectFrom("users").select("password_hash").where("user_id", "=", user.userId).executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^scrypt\$2048\$8\$1\$/);
      const identifier = { type: "m.id.user", user: user.userId };
      const login = await cheap.http.inject({ method: "POST", url: "/_matrix/client/v3/login", payload: { type: "m.login.password", identifier, password: PASSWORD } });
      expect(login.statusCode).toBe(200);
    } finally {
      await cheap.dispose();
    }
  });

  it("registers once the client completes m.login.dummy in the session, returning a working access token", async () => {
    const username = freshLocalpart();
    const first = await register({ username, password: PASSWORD });
    const response = await register({ username, password: PASSWORD, auth: { type: "m.login.dummy", session: first.json().session } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(specErrors("POST", "/_matrix/client/v3/register", 200, body)).toEqual([]);
    expect(body.user_id).toBe(`@${username}:test.local`);
    expect(body.home_server).toBe("test.local");
    expect(body.refresh_token).toBeUndefined();
    const whoami = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami", headers: { authorization: `Bearer ${body.access_token}` } });
    expect(whoami.json()).toEqual({ user_id: body.user_id, device_id: body.device_id, is_guest: false });
  });

  it("keeps the first request's parameters in the UIA session, so the completing request need only carry auth", async () => {
    const username = freshLocalpart();
    const first = await register({ username, password: PASSWORD, device_id: "KEPTDEVICE", initial_device_display_name: "Kept Phone" });
    expect(first.statusCode).toBe(401);
    const response = await register({ auth: { type: "m.login.dummy", session: first.json().session } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user_id).toBe(`@${username}:test.local`);
    expect(body.device_id).toBe("KEPTDEVICE");
    const devices = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: { authorization: `Bearer ${body.access_token}` } });
    expect(devices.json().devices).toEqual([expect.objectContaining({ device_id: "KEPTDEVICE", display_name: "Kept Phone" })]);
    const login = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/login",
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: username }, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
  });

  it("keeps inhibit_login from the first request, and lets a later request replace a parameter it repeats", async () => {
    const first = await register({ username: freshLocalpart(), password: PASSWORD, inhibit_login: true });
    const renamed = freshLocalpart();
    const response = await register({ username: renamed, auth: { type: "m.login.dummy", session: first.json().session } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user_id).toBe(`@${renamed}:test.local`);
    expect(response.json().access_token).toBeUndefined();
  });

  it("answers a completed session sent again with the same registration result instead of an error", async () => {
    const username = freshLocalpart();
    const first = await register({ username, password: PASSWORD });
    const completing = { username, password: PASSWORD, auth: { type: "m.login.dummy", session: first.json().session } };
    const done = await register(completing);
    expect(done.statusCode).toBe(200);
    const again = await register(completing);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(done.json());
    const devices = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: { authorization: `Bearer ${done.json().access_token}` } });
    expect(devices.json().devices).toHaveLength(1);
  });

  it("answers a body that is not valid UTF-8 with 400 M_NOT_JSON", async () => {
    const invalid = Buffer.concat([Buffer.from('{"username": "'), Buffer.from([0xc3, 0x28]), Buffer.from('", "password": "x"}')]);
    const response = await app.http.inject({ method: "POST", url: REGISTER, payload: invalid, headers: { "content-type": "application/json" } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_NOT_JSON");
  });

  it("accepts m.login.dummy without a session in a single request", async () => {
    const response = await register({ username: freshLocalpart(), password: PASSWORD, auth: { type: "m.login.dummy" } });
    expect(response.statusCode).toBe(200);
  });

  it("maps a username with capitals onto a lower-case user id", async () => {
    const username = `Mixed-${freshLocalpart()}`;
    const response = await register({ username, password: PASSWORD, auth: { type: "m.login.dummy" } });
    expect(response.json().user_id).toBe(`@${username.toLowerCase()}:test.local`);
  });

  it("generates a user id when no username is given", async () => {
    const response = await register({ password: PASSWORD, auth: { type: "m.login.dummy" } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user_id).toMatch(/^@[a-z0-9]+:test\.local$/);
  });

  it.each([
    ["characters outside the grammar", "bad name!"],
    ["a non-ASCII letter", "café"],
    ["a user id over 255 bytes", "a".repeat(250)],
    ["an empty username", ""],
  ])("rejects %s with 400 M_INVALID_USERNAME before UIA", async (_, username) => {
    const response = await register({ username, password: PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_INVALID_USERNAME");
  });

  it("rejects a taken username with 400 M_USER_IN_USE before UIA", async () => {
    const user = await registerTestUser(app.http);
    const response = await register({ username: user.localpart, password: PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_USER_IN_USE");
  });

  it("refuses guest registration with 403 M_GUEST_ACCESS_FORBIDDEN", async () => {
    const response = await register({}, "?kind=guest");
    expect(response.statusCode).toBe(403);
    expect(response.json().errcode).toBe("M_GUEST_ACCESS_FORBIDDEN");
  });

  it("rejects an unknown kind with 400 M_INVALID_PARAM", async () => {
    const response = await register({}, "?kind=robot");
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_INVALID_PARAM");
  });

  it("with inhibit_login returns the user id but no access token or device", async () => {
    const response = await register({ username: freshLocalpart(), password: PASSWORD, inhibit_login: true, auth: { type: "m.login.dummy" } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user_id).toBeDefined();
    expect(body.access_token).toBeUndefined();
    expect(body.device_id).toBeUndefined();
  });

  it("uses the requested device_id and initial_device_display_name", async () => {
    const response = await register({
      username: freshLocalpart(),
      password: PASSWORD,
      device_id: "MYPHONE",
      initial_device_display_name: "Jungle Phone",
      auth: { type: "m.login.dummy" },
    });
    const body = response.json();
    expect(body.device_id).toBe("MYPHONE");
    const devices = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: { authorization: `Bearer ${body.access_token}` } });
    expect(devices.json().devices).toEqual([expect.objectContaining({ device_id: "MYPHONE", display_name: "Jungle Phone" })]);
  });

  it("with refresh_token: true issues a refresh token and expires_in_ms of the configured lifetime", async () => {
    const response = await register({ username: freshLocalpart(), password: PASSWORD, refresh_token: true, auth: { type: "m.login.dummy" } });
    const body = response.json();
    expect(body.refresh_token).toMatch(/^mar_/);
    expect(body.expires_in_ms).toBe(app.ctx.config.access_token_lifetime_ms);
  });

  it("sets the new user's display name to the localpart", async () => {
    const user = await registerTestUser(app.http);
    expect(await app.ctx.users.profiles.getProfile(user.userId)).toEqual({ displayname: user.localpart, avatar_url: null });
  });

  it("requires a password once UIA is complete: 400 M_MISSING_PARAM", async () => {
    const response = await register({ username: freshLocalpart(), auth: { type: "m.login.dummy" } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_MISSING_PARAM");
  });

  it("answers a body that is not JSON with 400 M_NOT_JSON and a wrongly typed field with 400 M_BAD_JSON", async () => {
    const notJson = await app.http.inject({ method: "POST", url: REGISTER, payload: "{nope", headers: { "content-type": "application/json" } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().errcode).toBe("M_NOT_JSON");
    const badType = await register({ username: 42, password: PASSWORD });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().errcode).toBe("M_BAD_JSON");
  });

  it("answers an unknown UIA session with 400", async () => {
    const response = await register({ username: freshLocalpart(), password: PASSWORD, auth: { type: "m.login.dummy", session: "nope" } });
    expect(response.statusCode).toBe(400);
  });

  it("answers 403 M_FORBIDDEN when registration is disabled", async () => {
    app.ctx.config.registration.enabled = false;
    try {
      const response = await register({ username: freshLocalpart(), password: PASSWORD, auth: { type: "m.login.dummy" } });
      expect(response.statusCode).toBe(403);
      expect(response.json().errcode).toBe("M_FORBIDDEN");
    } finally {
      app.ctx.config.registration.enabled = true;
    }
  });

  describe("GET /register/available", () => {
    const available = (username: string) =>
      app.http.inject({ method: "GET", url: `/_matrix/client/v3/register/available?username=${encodeURIComponent(username)}` });

    it("answers available: true for a free, valid username", async () => {
      const response = await available(freshLocalpart());
      expect(response.statusCode).toBe(200);
      expect(specErrors("GET", "/_matrix/client/v3/register/available", 200, response.json())).toEqual([]);
      expect(response.json()).toEqual({ available: true });
    });

    it("answers 400 M_USER_IN_USE for a taken username, whatever its case", async () => {
      const user = await registerTestUser(app.http);
      const response = await available(user.localpart.toUpperCase());
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe("M_USER_IN_USE");
    });

    it("answers 400 M_INVALID_USERNAME for a username outside the grammar", async () => {
      const response = await available("no spaces");
      expect(response.json().errcode).toBe("M_INVALID_USERNAME");
    });

    it("requires the username parameter: 400 M_MISSING_PARAM", async () => {
      const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/register/available" });
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe("M_MISSING_PARAM");
    });
  });
});

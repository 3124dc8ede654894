import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const LOGIN = "/_matrix/client/v3/login";
const WHOAMI = "/_matrix/client/v3/account/whoami";

describe.each(testDrivers())("login, refresh and logout on %s", (driver) => {
  let app: TestApp;
  const clock = { offset: 0, now: () => Date.now() + clock.offset };
  beforeAll(async () => {
    app = await createTestApp(driver, {}, clock);
  });
  afterAll(() => app.dispose());

  const login = (payload: Record<string, unknown>) => app.http.inject({ method: "POST", url: LOGIN, payload });
  const passwordLogin = (user: TestUser, extra: Record<string, unknown> = {}) =>
    login({ type: "m.login.password", identifier: { type: "m.id.user", user: user.localpart }, password: user.password, ...extra });
  const whoami = (token: string) => app.http.inject({ method: "GET", url: WHOAMI, headers: { authorization: `Bearer ${token}` } });

  it("GET /login offers the m.login.password flow", async () => {
    const response = await app.http.inject({ method: "GET", url: LOGIN });
    expect(specErrors("GET", "/_matrix/client/v3/login", 200, response.json())).toEqual([]);
    expect(response.json().flows).toEqual([{ type: "m.login.password" }]);
  });

  it("logs in with an m.id.user identifier holding the localpart, returning a new device and well_known", async () => {
    const user = await registerTestUser(app.http);
    const response = await passwordLogin(user);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(specErrors("POST", "/_matrix/client/v3/login", 200, body)).toEqual([]);
    expect(body.user_id).toBe(user.userId);
    expect(body.device_id).not.toBe(user.deviceId);
    expect(body.well_known["m.homeserver"].base_url).toBe(app.ctx.config.public_baseurl);
    expect((await whoami(body.access_token)).json().device_id).toBe(body.device_id);
  });

  it("accepts the full user id, a differently-cased localpart, and the legacy top-level user field", async () => {
    const user = await registerTestUser(app.http);
    const full = await login({ type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password });
    expect(full.statusCode).toBe(200);
    const upper = await login({ type: "m.login.password", identifier: { type: "m.id.user", user: user.localpart.toUpperCase() }, password: user.password });
    expect(upper.statusCode).toBe(200);
    const legacy = await login({ type: "m.login.password", user: user.localpart, password: user.password });
    expect(legacy.statusCode).toBe(200);
  });

  it.each([
    ["a wrong password", (u: TestUser) => ({ identifier: { type: "m.id.user", user: u.localpart }, password: "wrong" })],
    ["an unknown user", () => ({ identifier: { type: "m.id.user", user: "nobody-here" }, password: "wrong" })],
    ["a user id on another server", (u: TestUser) => ({ identifier: { type: "m.id.user", user: `@${u.localpart}:elsewhere` }, password: u.password })],
    ["a third-party identifier", () => ({ identifier: { type: "m.id.thirdparty", medium: "email", address: "a@b.c" }, password: "x" })],
  ])("answers %s with 403 M_FORBIDDEN", async (_, build) => {
    const user = await registerTestUser(app.http);
    const response = await login({ type: "m.login.password", ...build(user) });
    expect(response.statusCode).toBe(403);
    expect(specErrors("POST", "/_matrix/client/v3/login", 403, response.json())).toEqual([]);
    expect(response.json().errcode).toBe("M_FORBIDDEN");
  });

  it("rejects an unsupported login type with 400 and a missing type with 400 M_BAD_JSON", async () => {
    const unknown = await login({ type: "m.login.token", token: "abc" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errcode).toBe("M_UNKNOWN");
    const missing = await login({ user: "x", password: "y" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errcode).toBe("M_BAD_JSON");
  });

  it("reusing a device_id keeps the device and its name but replaces the device's old access token", async () => {
    const user = await registerTestUser(app.http);
    const first = (await passwordLogin(user, { device_id: "REUSED", initial_device_display_name: "First name" })).json();
    expect((await whoami(first.access_token)).statusCode).toBe(200);
    const second = (await passwordLogin(user, { device_id: "REUSED", initial_device_display_name: "Second name" })).json();
    expect(second.device_id).toBe("REUSED");
    const old = await whoami(first.access_token);
    expect(old.statusCode).toBe(401);
    expect(old.json().errcode).toBe("M_UNKNOWN_TOKEN");
    const device = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices/REUSED", headers: { authorization: `Bearer ${second.access_token}` } });
    expect(device.json().display_name).toBe("First name");
  });

  it("answers a missing token with 401 M_MISSING_TOKEN and an unknown one with 401 M_UNKNOWN_TOKEN", async () => {
    const missing = await app.http.inject({ method: "GET", url: WHOAMI });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().errcode).toBe("M_MISSING_TOKEN");
    const unknown = await whoami("mat_notatoken");
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
    expect(unknown.json().soft_logout).toBeUndefined();
  });

  it("an expiring access token answers 401 M_UNKNOWN_TOKEN with soft_logout once expired; /refresh gives a new pair", async () => {
    const user = await registerTestUser(app.http);
    const session = (await passwordLogin(user, { refresh_token: true })).json();
    expect(session.expires_in_ms).toBe(app.ctx.config.access_token_lifetime_ms);
    expect((await whoami(session.access_token)).statusCode).toBe(200);

    clock.offset += session.expires_in_ms + 1;
    try {
      const expired = await whoami(session.access_token);
      expect(expired.statusCode).toBe(401);
      expect(expired.json()).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", soft_logout: true });

      const refreshed = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/refresh", payload: { refresh_token: session.refresh_token } });
      expect(refreshed.statusCode).toBe(200);
      expect(specErrors("POST", "/_matrix/client/v3/refresh", 200, refreshed.json())).toEqual([]);
      const pair = refreshed.json();
      expect(pair.refresh_token).not.toBe(session.refresh_token);
      expect((await whoami(pair.access_token)).json()).toMatchObject({ user_id: user.userId, device_id: session.device_id });
    } finally {
      clock.offset = 0;
    }
  });

  it("a refresh token works once: reuse and unknown tokens get 401 M_UNKNOWN_TOKEN, and the old access token dies", async () => {
    const user = await registerTestUser(app.http);
    const session = (await passwordLogin(user, { refresh_token: true })).json();
    const refresh = (token: string) => app.http.inject({ method: "POST", url: "/_matrix/client/v3/refresh", payload: { refresh_token: token } });
    expect((await refresh(session.refresh_token)).statusCode).toBe(200);
    expect((await whoami(session.access_token)).statusCode).toBe(401);
    const reused = await refresh(session.refresh_token);
    expect(reused.statusCode).toBe(401);
    expect(specErrors("POST", "/_matrix/client/v3/refresh", 401, reused.json())).toEqual([]);
    expect(reused.json().errcode).toBe("M_UNKNOWN_TOKEN");
    expect((await refresh("mar_unknown")).json().errcode).toBe("M_UNKNOWN_TOKEN");
  });

  it("POST /logout revokes the token at once (even just after it was used) and deletes its device", async () => {
    const user = await registerTestUser(app.http);
    const other = (await passwordLogin(user)).json();
    expect((await whoami(user.accessToken)).statusCode).toBe(200);
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout", headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({});
    expect((await whoami(user.accessToken)).json().errcode).toBe("M_UNKNOWN_TOKEN");
    const devices = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: { authorization: `Bearer ${other.access_token}` } });
    expect(devices.json().devices.map((d: { device_id: string }) => d.device_id)).toEqual([other.device_id]);
  });

  it("POST /logout works with an expired access token", async () => {
    const user = await registerTestUser(app.http);
    const session = (await passwordLogin(user, { refresh_token: true })).json();
    clock.offset += session.expires_in_ms + 1;
    try {
      const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout", headers: { authorization: `Bearer ${session.access_token}` } });
      expect(response.statusCode).toBe(200);
      const refreshed = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/refresh", payload: { refresh_token: session.refresh_token } });
      expect(refreshed.statusCode).toBe(401);
    } finally {
      clock.offset = 0;
    }
  });

  it("POST /logout/all revokes every token of the user and removes all devices", async () => {
    const user = await registerTestUser(app.http);
    const other = (await passwordLogin(user)).json();
    await whoami(other.access_token);
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout/all", headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    expect((await whoami(user.accessToken)).statusCode).toBe(401);
    expect((await whoami(other.access_token)).statusCode).toBe(401);
    const fresh = (await passwordLogin(user)).json();
    const devices = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: { authorization: `Bearer ${fresh.access_token}` } });
    expect(devices.json().devices).toHaveLength(1);
  });

  it("GET /account/whoami answers the token's user and device, not a guest", async () => {
    const user = await registerTestUser(app.http);
    const response = await whoami(user.accessToken);
    expect(specErrors("GET", "/_matrix/client/v3/account/whoami", 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({ user_id: user.userId, device_id: user.deviceId, is_guest: false });
  });
});

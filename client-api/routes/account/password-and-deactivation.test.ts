import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const PASSWORD_URL = "/_matrix/client/v3/account/password";
const DEACTIVATE_URL = "/_matrix/client/v3/account/deactivate";

describe.each(testDrivers())("password change and deactivation on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  const post = (url: string, user: TestUser, payload: Record<string, unknown>) => app.http.inject({ method: "POST", url, headers: bearer(user), payload });
  const login = (localpart: string, password: string) =>
    app.http.inject({ method: "POST", url: "/_matrix/client/v3/login", payload: { type: "m.login.password", user: localpart, password } });
  const whoami = (token: string) =>
    app.http.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami", headers: { authorization: `Bearer ${token}` } });

  describe("POST /account/password", () => {
    it("asks for m.login.password through UIA", async () => {
      const user = await registerTestUser(app.http);
      const response = await post(PASSWORD_URL, user, { new_password: "new password" });
      expect(response.statusCode).toBe(401);
      expect(specErrors("POST", PASSWORD_URL, 401, response.json())).toEqual([]);
      expect(response.json().flows).toEqual([{ stages: ["m.login.password"] }]);
    });

    it("answers a wrong current password with the 401 challenge carrying M_FORBIDDEN", async () => {
      const user = await registerTestUser(app.http);
      const response = await post(PASSWORD_URL, user, { new_password: "new password", auth: passwordAuth({ ...user, password: "wrong" }) });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ errcode: "M_FORBIDDEN", flows: [{ stages: ["m.login.password"] }] });
    });

    it("changes the password and by default revokes the other devices, keeping the requester's", async () => {
      const user = await registerTestUser(app.http);
      const other = (await login(user.localpart, user.password)).json();
      const response = await post(PASSWORD_URL, user, { new_password: "new password", auth: passwordAuth(user) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({});
      expect((await login(user.localpart, user.password)).statusCode).toBe(403);
      expect((await login(user.localpart, "new password")).statusCode).toBe(200);
      expect((await whoami(user.accessToken)).statusCode).toBe(200);
      expect((await whoami(other.access_token)).statusCode).toBe(401);
      const devices = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: bearer(user) });
      expect(devices.json().devices.map((d: { device_id: string }) => d.device_id)).not.toContain(other.device_id);
    });

    it("with logout_devices: false leaves the other devices logged in", async () => {
      const user = await registerTestUser(app.http);
      const other = (await login(user.localpart, user.password)).json();
      const response = await post(PASSWORD_URL, user, { new_password: "new password", logout_devices: false, auth: passwordAuth(user) });
      expect(response.statusCode).toBe(200);
      expect((await whoami(other.access_token)).statusCode).toBe(200);
    });

    it("refuses another user's credentials as the UIA password stage", async () => {
      const user = await registerTestUser(app.http);
      const stranger = await registerTestUser(app.http);
      const response = await post(PASSWORD_URL, user, { new_password: "hijack", auth: passwordAuth(stranger) });
      expect(response.statusCode).toBe(401);
      expect(response.json().errcode).toBe("M_FORBIDDEN");
      expect((await login(user.localpart, user.password)).statusCode).toBe(200);
    });

    it("refuses a UIA session started by another user or for another operation with 403", async () => {
      const user = await registerTestUser(app.http);
      const stranger = await registerTestUser(app.http);
      const theirSession = (await post(PASSWORD_URL, stranger, { new_password: "x" })).json().session;
      const crossUser = await post(PASSWORD_URL, user, { new_password: "x", auth: passwordAuth(user, theirSession) });
      expect(crossUser.statusCode).toBe(403);
      const deactivateSession = (await post(DEACTIVATE_URL, user, {})).json().session;
      const crossOperation = await post(PASSWORD_URL, user, { new_password: "x", auth: passwordAuth(user, deactivateSession) });
      expect(crossOperation.statusCode).toBe(403);
    });

    it("requires new_password: 400 M_BAD_JSON", async () => {
      const user = await registerTestUser(app.http);
      const response = await post(PASSWORD_URL, user, { auth: passwordAuth(user) });
      expect(response.statusCode).toBe(400);
      expect(response.json().errcode).toBe("M_BAD_JSON");
    });
  });

  describe("POST /account/deactivate", () => {
    it("asks for m.login.password through UIA", async () => {
      const user = await registerTestUser(app.http);
      const response = await post(DEACTIVATE_URL, user, {});
      expect(response.statusCode).toBe(401);
      expect(specErrors("POST", DEACTIVATE_URL, 401, response.json())).toEqual([]);
    });

    it("deactivates: answers no-support for unbinding, revokes tokens, leaves rooms, and login then gets M_USER_DEACTIVATED", async () => {
      const user = await registerTestUser(app.http);
      const left: string[] = [];
      const original = app.ctx.rooms.leaveAllRooms;
      app.ctx.rooms.leaveAllRooms = async (userId) => void left.push(userId);
      try {
        const response = await post(DEACTIVATE_URL, user, { auth: passwordAuth(user) });
        expect(response.statusCode).toBe(200);
        expect(specErrors("POST", DEACTIVATE_URL, 200, response.json())).toEqual([]);
        expect(response.json()).toEqual({ id_server_unbind_result: "no-support" });
      } finally {
        app.ctx.rooms.leaveAllRooms = original;
      }
      expect(left).toEqual([user.userId]);
      expect((await whoami(user.accessToken)).statusCode).toBe(401);
      const again = await login(user.localpart, user.password);
      expect(again.statusCode).toBe(403);
      expect(again.json().errcode).toBe("M_USER_DEACTIVATED");
      expect((await login(user.localpart, "wrong")).json().errcode).toBe("M_FORBIDDEN");
    });

    it("keeps a deactivated user's id taken", async () => {
      const user = await registerTestUser(app.http);
      await post(DEACTIVATE_URL, user, { auth: passwordAuth(user) });
      const response = await app.http.inject({ method: "GET", url: `/_matrix/client/v3/register/available?username=${user.localpart}` });
      expect(response.json().errcode).toBe("M_USER_IN_USE");
    });

    it("with erase: true clears the profile and account data", async () => {
      const user = await registerTestUser(app.http);
      await app.ctx.users.accountData.set(user.userId, null, "org.example.secret", { a: 1 });
      await post(DEACTIVATE_URL, user, { auth: passwordAuth(user), erase: true });
      expect(await app.ctx.users.profiles.getProfile(user.userId)).toEqual({ displayname: null, avatar_url: null });
      expect(await app.ctx.users.accountData.get(user.userId, null, "org.example.secret")).toBeUndefined();
    });
  });
});

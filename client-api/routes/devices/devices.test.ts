import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

describe.each(testDrivers())("device routes on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  const loginDevice = async (user: TestUser, deviceId: string) =>
    (
      await app.http.inject({
        method: "POST",
        url: "/_matrix/client/v3/login",
        payload: { type: "m.login.password", user: user.localpart, password: user.password, device_id: deviceId },
      })
    ).json() as { access_token: string };
  const whoami = (token: string) =>
    app.http.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami", headers: { authorization: `Bearer ${token}` } });
  const deviceUrl = (id: string) => `/_matrix/client/v3/devices/${encodeURIComponent(id)}`;

  it("GET /devices lists the user's devices with last-seen details", async () => {
    const user = await registerTestUser(app.http, { deviceId: "FIRST" });
    await loginDevice(user, "SECOND");
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/devices", 200, response.json())).toEqual([]);
    const devices = response.json().devices as Array<{ device_id: string; last_seen_ts: number }>;
    expect(devices.map((d) => d.device_id).sort()).toEqual(["FIRST", "SECOND"]);
    expect(typeof devices[0].last_seen_ts).toBe("number");
  });

  it("GET /devices/{deviceId} answers one device, and 404 M_NOT_FOUND for another user's device", async () => {
    const user = await registerTestUser(app.http, { deviceId: "MINE" });
    const other = await registerTestUser(app.http, { deviceId: "THEIRS" });
    const mine = await app.http.inject({ method: "GET", url: deviceUrl("MINE"), headers: bearer(user) });
    expect(mine.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/devices/{deviceId}", 200, mine.json())).toEqual([]);
    expect(mine.json().device_id).toBe("MINE");
    const theirs = await app.http.inject({ method: "GET", url: deviceUrl("THEIRS"), headers: bearer(user) });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().errcode).toBe("M_NOT_FOUND");
    expect(other.deviceId).toBe("THEIRS");
  });

  it("PUT /devices/{deviceId} renames the device; an unknown device is 404 M_NOT_FOUND", async () => {
    const user = await registerTestUser(app.http);
    const put = (id: string, payload: unknown) => app.http.inject({ method: "PUT", url: deviceUrl(id), headers: bearer(user), payload: payload as object });
    expect((await put(user.deviceId, { display_name: "Renamed" })).statusCode).toBe(200);
    const device = await app.http.inject({ method: "GET", url: deviceUrl(user.deviceId), headers: bearer(user) });
    expect(device.json().display_name).toBe("Renamed");
    const unknown = await put("NOPE", { display_name: "x" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errcode).toBe("M_NOT_FOUND");
    const badType = await put(user.deviceId, { display_name: 7 });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().errcode).toBe("M_BAD_JSON");
  });

  it("DELETE /devices/{deviceId} without a body answers the UIA 401 with m.login.password", async () => {
    const user = await registerTestUser(app.http);
    const response = await app.http.inject({ method: "DELETE", url: deviceUrl(user.deviceId), headers: bearer(user) });
    expect(response.statusCode).toBe(401);
    expect(specErrors("DELETE", "/_matrix/client/v3/devices/{deviceId}", 401, response.json())).toEqual([]);
    expect(response.json().flows).toEqual([{ stages: ["m.login.password"] }]);
  });

  it("DELETE /devices/{deviceId} after UIA deletes the device and revokes its tokens", async () => {
    const user = await registerTestUser(app.http);
    const doomed = await loginDevice(user, "DOOMED");
    expect((await whoami(doomed.access_token)).statusCode).toBe(200);
    const challenge = await app.http.inject({ method: "DELETE", url: deviceUrl("DOOMED"), headers: bearer(user), payload: {} });
    const response = await app.http.inject({
      method: "DELETE",
      url: deviceUrl("DOOMED"),
      headers: bearer(user),
      payload: { auth: passwordAuth(user, challenge.json().session) },
    });
    expect(response.statusCode).toBe(200);
    expect((await whoami(doomed.access_token)).statusCode).toBe(401);
    expect((await app.http.inject({ method: "GET", url: deviceUrl("DOOMED"), headers: bearer(user) })).statusCode).toBe(404);
  });

  it("a UIA session for deleting one device cannot delete a different one", async () => {
    const user = await registerTestUser(app.http);
    await loginDevice(user, "HARMLESS");
    await loginDevice(user, "PRECIOUS");
    const session = (await app.http.inject({ method: "DELETE", url: deviceUrl("HARMLESS"), headers: bearer(user), payload: {} })).json().session;
    const swapped = await app.http.inject({ method: "DELETE", url: deviceUrl("PRECIOUS"), headers: bearer(user), payload: { auth: passwordAuth(user, session) } });
    expect(swapped.statusCode).toBe(403);
    expect((await app.http.inject({ method: "GET", url: deviceUrl("PRECIOUS"), headers: bearer(user) })).statusCode).toBe(200);
  });

  it("POST /delete_devices after UIA deletes several devices, ignoring unknown ids", async () => {
    const user = await registerTestUser(app.http);
    const a = await loginDevice(user, "AAA");
    const b = await loginDevice(user, "BBB");
    const first = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/delete_devices", headers: bearer(user), payload: { devices: ["AAA", "BBB", "UNKNOWN"] } });
    expect(first.statusCode).toBe(401);
    expect(specErrors("POST", "/_matrix/client/v3/delete_devices", 401, first.json())).toEqual([]);
    const response = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/delete_devices",
      headers: bearer(user),
      payload: { devices: ["AAA", "BBB", "UNKNOWN"], auth: passwordAuth(user) },
    });
    expect(response.statusCode).toBe(200);
    expect((await whoami(a.access_token)).statusCode).toBe(401);
    expect((await whoami(b.access_token)).statusCode).toBe(401);
    const left = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/devices", headers: bearer(user) });
    expect(left.json().devices.map((d: { device_id: string }) => d.device_id)).toEqual([user.deviceId]);
  });

  it("POST /delete_devices requires the devices list: 400 M_BAD_JSON", async () => {
    const user = await registerTestUser(app.http);
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/delete_devices", headers: bearer(user), payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json().errcode).toBe("M_BAD_JSON");
  });

  it("answers NUL characters in device ids and names with 4xx, never a server error", async () => {
    const user = await registerTestUser(app.http);
    const read = await app.http.inject({ method: "GET", url: deviceUrl("A\u0000B"), headers: bearer(user) });
    expect(read.statusCode).toBe(400);
    expect(read.json().errcode).toBe("M_INVALID_PARAM");
    const rename = await app.http.inject({ method: "PUT", url: deviceUrl(user.deviceId), headers: bearer(user), payload: { display_name: "a\u0000b" } });
    expect(rename.statusCode).toBe(400);
    expect(rename.json().errcode).toBe("M_BAD_JSON");
    const login = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/login",
      payload: { type: "m.login.password", user: user.localpart, password: user.password, device_id: "X\u0000" },
    });
    expect(login.statusCode).toBe(400);
  });
});

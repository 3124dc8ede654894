import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { testDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";

const V3 = "/_matrix/client/v3";
/** A server that is well formed but that nothing may connect to (the test app blocks every address). */
const UNREACHABLE = "10.255.255.1:8448";

describe.each(testDrivers())("POST /keys/query and /keys/claim on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver, { federation: { ip_range_blocklist: ["0.0.0.0/0", "::/0"], request_timeout_ms: 1000 } });
  });
  afterAll(() => app.dispose());

  const post = (user: TestUser, path: string, payload: unknown) =>
    app.http.inject({ method: "POST", url: `${V3}${path}`, headers: bearer(user), payload: payload as object });
  const query = (user: TestUser, deviceKeys: Record<string, string[]>) => post(user, "/keys/query", { device_keys: deviceKeys });
  const claim = (user: TestUser, oneTimeKeys: Record<string, Record<string, string>>) => post(user, "/keys/claim", { one_time_keys: oneTimeKeys });
  const login = async (user: TestUser, deviceId: string): Promise<TestUser> => {
    const response = await app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: user.localpart }, password: user.password, device_id: deviceId, initial_device_display_name: `${deviceId} phone` },
    });
    expect(response.statusCode).toBe(200);
    return { ...user, accessToken: response.json().access_token, deviceId };
  };
  /** A user's device with signed device keys, two one-time keys and a fallback key uploaded. */
  const withKeys = async (user: TestUser) => {
    const device = testDevice(user.userId, user.deviceId);
    const deviceKeys = device.deviceKeys();
    const oneTimeKeys = { "signed_curve25519:A1": device.signedKey("a1"), "signed_curve25519:A2": device.signedKey("a2") };
    const fallbackKeys = { "signed_curve25519:FB": device.signedKey("fb", true) };
    const uploaded = await post(user, "/keys/upload", { device_keys: deviceKeys, one_time_keys: oneTimeKeys, fallback_keys: fallbackKeys });
    expect(uploaded.statusCode).toBe(200);
    return { deviceKeys, oneTimeKeys, fallbackKeys };
  };

  it("/keys/query answers every device with keys, or the ones asked for, with the device's display name in unsigned", async () => {
    const alice = await registerTestUser(app.http);
    const phone = await login(alice, "PHONE");
    const laptop = await login(alice, "LAPTOP");
    const phoneKeys = (await withKeys(phone)).deviceKeys;
    const laptopKeys = (await withKeys(laptop)).deviceKeys;
    const bob = await registerTestUser(app.http);

    const all = await query(bob, { [alice.userId]: [] });
    expect(all.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/keys/query", 200, all.json())).toEqual([]);
    // The device registration made has no keys, so it is not listed.
    expect(all.json()).toEqual({
      device_keys: {
        [alice.userId]: {
          PHONE: { ...phoneKeys, unsigned: { device_display_name: "PHONE phone" } },
          LAPTOP: { ...laptopKeys, unsigned: { device_display_name: "LAPTOP phone" } },
        },
      },
      failures: {},
    });
    const one = await query(bob, { [alice.userId]: ["LAPTOP", "NOSUCH"] });
    expect(Object.keys(one.json().device_keys[alice.userId])).toEqual(["LAPTOP"]);
  });

  it("/keys/query lists a local user without devices as {}, leaves out what is not a user id, and reports an unreachable server in failures", async () => {
    const bob = await registerTestUser(app.http);
    const response = await query(bob, { "@nobody:test.local": [], "not-a-user": [], "@x:bad server": [], [`@carol:${UNREACHABLE}`]: [] });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/keys/query", 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({
      device_keys: { "@nobody:test.local": {} },
      failures: { [UNREACHABLE]: { status: 503, message: expect.any(String) } },
    });
  });

  it("/keys/query refuses a body without device_keys, or with device lists that are not lists of strings: 400 M_BAD_JSON", async () => {
    const bob = await registerTestUser(app.http);
    for (const payload of [{}, { device_keys: [] }, { device_keys: { [bob.userId]: "DEV" } }, { device_keys: { [bob.userId]: [1] } }, { device_keys: {}, timeout: "soon" }]) {
      const response = await post(bob, "/keys/query", payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ errcode: "M_BAD_JSON", error: expect.any(String) });
    }
  });

  it("/keys/claim hands out the one-time keys oldest first, each once, then the fallback key (again and again), and the counts go down", async () => {
    const alice = await registerTestUser(app.http);
    const { oneTimeKeys, fallbackKeys } = await withKeys(alice);
    const bob = await registerTestUser(app.http);
    const ask = { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } };
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const response = await claim(bob, ask);
      expect(response.statusCode).toBe(200);
      expect(specErrors("POST", "/_matrix/client/v3/keys/claim", 200, response.json())).toEqual([]);
      answers.push(response.json());
    }
    const handed = answers.map((a) => a.one_time_keys[alice.userId][alice.deviceId]);
    const [first, second] = handed.slice(0, 2).map((keys) => Object.keys(keys)[0]);
    expect(new Set([first, second])).toEqual(new Set(Object.keys(oneTimeKeys)));
    expect(handed[0][first]).toEqual(oneTimeKeys[first as keyof typeof oneTimeKeys]);
    expect(handed[2]).toEqual(fallbackKeys);
    expect(handed[3]).toEqual(fallbackKeys);
    expect(answers[0].failures).toEqual({});
    const counts = await post(alice, "/keys/upload", {});
    expect(counts.json().one_time_key_counts).toEqual({ signed_curve25519: 0 });
    expect(await app.ctx.users.e2eKeys.unusedFallbackKeyTypes(alice.userId, alice.deviceId)).toEqual([]);
  });

  it("/keys/claim run concurrently hands no one-time key out twice", async () => {
    const alice = await registerTestUser(app.http);
    const device = testDevice(alice.userId, alice.deviceId);
    const oneTimeKeys = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`signed_curve25519:K${i}`, device.signedKey(`k${i}`)]));
    expect((await post(alice, "/keys/upload", { one_time_keys: oneTimeKeys })).statusCode).toBe(200);
    const claimers = await Promise.all(Array.from({ length: 4 }, () => registerTestUser(app.http)));
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => claim(claimers[i % claimers.length], { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } })),
    );
    const names = responses.map((r) => Object.keys(r.json().one_time_keys[alice.userId][alice.deviceId])[0]);
    expect(names.sort()).toEqual(Object.keys(oneTimeKeys).sort());
  });

  it("/keys/claim leaves out devices and algorithms without keys, refuses what is not a user id (400 M_INVALID_PARAM), and reports unreachable servers", async () => {
    const alice = await registerTestUser(app.http);
    await withKeys(alice);
    const bob = await registerTestUser(app.http);
    const response = await claim(bob, {
      [alice.userId]: { NOSUCH: "signed_curve25519", [alice.deviceId]: "curve25519" },
      "@nobody:test.local": { DEV: "signed_curve25519" },
      [`@carol:${UNREACHABLE}`]: { DEV: "signed_curve25519" },
    });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/keys/claim", 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({ one_time_keys: {}, failures: { [UNREACHABLE]: { status: 503, message: expect.any(String) } } });
    const refused = await claim(bob, { "not-a-user": { DEV: "signed_curve25519" } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errcode).toBe("M_INVALID_PARAM");
    const malformed = await post(bob, "/keys/claim", { one_time_keys: { [alice.userId]: { [alice.deviceId]: 5 } } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errcode).toBe("M_BAD_JSON");
  });

  it("deleting a device (DELETE /devices, POST /delete_devices) or logging it out removes its keys", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const devices = await Promise.all(["GONE1", "GONE2", "GONE3", "STAYS"].map((id) => login(alice, id)));
    for (const device of devices) await withKeys(device);
    const deleted = await app.http.inject({ method: "DELETE", url: `${V3}/devices/GONE1`, headers: bearer(alice), payload: { auth: passwordAuth(alice) } });
    expect(deleted.statusCode).toBe(200);
    const bulk = await post(alice, "/delete_devices", { devices: ["GONE2"], auth: passwordAuth(alice) });
    expect(bulk.statusCode).toBe(200);
    expect((await post(devices[2], "/logout", {})).statusCode).toBe(200);

    expect(Object.keys((await query(bob, { [alice.userId]: [] })).json().device_keys[alice.userId])).toEqual(["STAYS"]);
    const ask = Object.fromEntries(["GONE1", "GONE2", "GONE3", "STAYS"].map((id) => [id, "signed_curve25519"]));
    const claimed = (await claim(bob, { [alice.userId]: ask })).json().one_time_keys[alice.userId];
    expect(Object.keys(claimed)).toEqual(["STAYS"]);
    for (const id of ["GONE1", "GONE2", "GONE3"]) {
      expect(await app.ctx.users.e2eKeys.oneTimeKeyCounts(alice.userId, id)).toEqual({ signed_curve25519: 0 });
      expect(await app.ctx.stores.e2eKeys.fallbackKeys(alice.userId, id)).toEqual([]);
    }
  });

  it("logging in again with a deleted device's id starts without keys, so new identity keys are accepted", async () => {
    const alice = await registerTestUser(app.http);
    const first = await login(alice, "REUSED");
    await withKeys(first);
    expect((await post(first, "/logout", {})).statusCode).toBe(200);
    const second = await login(alice, "REUSED");
    expect((await query(second, { [alice.userId]: ["REUSED"] })).json().device_keys[alice.userId]).toEqual({});
    expect((await post(second, "/keys/upload", { device_keys: testDevice(alice.userId, "REUSED").deviceKeys() })).statusCode).toBe(200);
  });

  it("needs an access token: 401 M_MISSING_TOKEN", async () => {
    for (const [path, payload] of [["/keys/query", { device_keys: {} }], ["/keys/claim", { one_time_keys: {} }]] as const) {
      const response = await app.http.inject({ method: "POST", url: `${V3}${path}`, payload });
      expect(response.statusCode).toBe(401);
      expect(response.json().errcode).toBe("M_MISSING_TOKEN");
    }
  });
});

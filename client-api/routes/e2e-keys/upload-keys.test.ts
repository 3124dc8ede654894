import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { testDevice, type TestDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";

const UPLOAD = "/_matrix/client/v3/keys/upload";
const QUERY = "/_matrix/client/v3/keys/query";

describe.each(testDrivers())("POST /keys/upload on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  const upload = (user: TestUser, payload: unknown) => app.http.inject({ method: "POST", url: UPLOAD, headers: bearer(user), payload: payload as object });
  const ownKeys = async (user: TestUser) =>
    (await app.http.inject({ method: "POST", url: QUERY, headers: bearer(user), payload: { device_keys: { [user.userId]: [] } } })).json().device_keys[user.userId];
  const newDevice = async (): Promise<{ user: TestUser; device: TestDevice }> => {
    const user = await registerTestUser(app.http);
    return { user, device: testDevice(user.userId, user.deviceId) };
  };
  // The spec documents only the 200 of /keys/upload; errors have the standard error body.
  const expectError = (response: { statusCode: number; json(): any }, status: number, errcode: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ errcode, error: expect.any(String) });
  };

  it("stores device, one-time and fallback keys and answers the one-time key counts by algorithm", async () => {
    const { user, device } = await newDevice();
    const deviceKeys = device.deviceKeys();
    const response = await upload(user, {
      device_keys: deviceKeys,
      one_time_keys: { "signed_curve25519:AAAA": device.signedKey("a"), "signed_curve25519:AAAB": device.signedKey("b"), "curve25519:AAAC": "cGxhaW4" },
      fallback_keys: { "signed_curve25519:FFFF": device.signedKey("f", true) },
    });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", UPLOAD, 200, response.json())).toEqual([]);
    expect(response.json()).toEqual({ one_time_key_counts: { signed_curve25519: 2, curve25519: 1 } });
    expect((await ownKeys(user))[user.deviceId]).toEqual({ ...deviceKeys, unsigned: {} });
  });

  it("answers signed_curve25519: 0 for a device without one-time keys, for an empty upload too", async () => {
    const { user } = await newDevice();
    const response = await upload(user, {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ one_time_key_counts: { signed_curve25519: 0 } });
  });

  it("refuses device keys of another user or another device with 400 M_BAD_JSON (as Synapse)", async () => {
    const { user, device } = await newDevice();
    const other = await registerTestUser(app.http);
    expectError(await upload(user, { device_keys: testDevice(other.userId, user.deviceId).deviceKeys() }), 400, "M_BAD_JSON");
    expectError(await upload(user, { device_keys: testDevice(user.userId, "NOTMINE").deviceKeys() }), 400, "M_BAD_JSON");
    expect(await ownKeys(user)).toEqual({});
    expect((await upload(user, { device_keys: device.deviceKeys() })).statusCode).toBe(200);
  });

  it("refuses device keys not signed by the device's own ed25519 key with 400 M_INVALID_SIGNATURE", async () => {
    const { user, device } = await newDevice();
    const signed = device.deviceKeys();
    expectError(await upload(user, { device_keys: { ...signed, algorithms: ["m.megolm.v1.aes-sha2"] } }), 400, "M_INVALID_SIGNATURE");
    const impostor = testDevice(user.userId, user.deviceId);
    // Signed by another key while naming this device's key.
    const forged = impostor.sign({ ...signed, signatures: {} });
    expectError(await upload(user, { device_keys: forged }), 400, "M_INVALID_SIGNATURE");
    const unsignedOnly = { ...signed, signatures: {} };
    expectError(await upload(user, { device_keys: unsignedOnly }), 400, "M_INVALID_SIGNATURE");
    expect(await ownKeys(user)).toEqual({});
  });

  it("refuses device keys without the device's ed25519 key, or with one that is not a key, with 400 M_INVALID_PARAM", async () => {
    const { user, device } = await newDevice();
    const signed = device.deviceKeys() as { keys: Record<string, string> };
    const { [`ed25519:${user.deviceId}`]: _dropped, ...withoutEd25519 } = signed.keys;
    expectError(await upload(user, { device_keys: device.sign({ ...signed, keys: withoutEd25519, signatures: {} }) }), 400, "M_INVALID_PARAM");
    const shortKey = { ...signed.keys, [`ed25519:${user.deviceId}`]: "c2hvcnQ" };
    expectError(await upload(user, { device_keys: device.sign({ ...signed, keys: shortKey, signatures: {} }) }), 400, "M_INVALID_PARAM");
  });

  it("signs over the object without `unsigned`: a client's unsigned data does not break the signature and is not stored", async () => {
    const { user, device } = await newDevice();
    const signed = device.deviceKeys();
    const response = await upload(user, { device_keys: { ...signed, unsigned: { device_display_name: "spoofed" } } });
    expect(response.statusCode).toBe(200);
    expect((await ownKeys(user))[user.deviceId].unsigned).toEqual({});
  });

  it("accepts the same device keys again, and new signatures on the same keys, but refuses other identity keys with 400 M_INVALID_PARAM", async () => {
    const { user, device } = await newDevice();
    const signed = device.deviceKeys();
    expect((await upload(user, { device_keys: signed })).statusCode).toBe(200);
    expect((await upload(user, { device_keys: signed })).statusCode).toBe(200);
    const crossSigned = { ...signed, signatures: { ...(signed.signatures as object), [user.userId]: { ...(signed.signatures as any)[user.userId], "ed25519:SELF": "c2ln" } } };
    expect((await upload(user, { device_keys: crossSigned })).statusCode).toBe(200);
    expect((await ownKeys(user))[user.deviceId].signatures[user.userId]["ed25519:SELF"]).toBe("c2ln");
    // Same device id, new identity keys: refused, and the stored keys stay.
    expectError(await upload(user, { device_keys: device.deviceKeys() }), 400, "M_INVALID_PARAM");
    const replaced = testDevice(user.userId, user.deviceId);
    expectError(await upload(user, { device_keys: replaced.deviceKeys() }), 400, "M_INVALID_PARAM");
    expect((await ownKeys(user))[user.deviceId].keys).toEqual(signed.keys);
  });

  it("accepts a one-time key id again with the same key (other signatures too), refuses it with another key, and then stores nothing of that upload", async () => {
    const { user, device } = await newDevice();
    const key = device.signedKey("one");
    expect((await upload(user, { one_time_keys: { "signed_curve25519:K1": key } })).json().one_time_key_counts).toEqual({ signed_curve25519: 1 });
    const again = await upload(user, { one_time_keys: { "signed_curve25519:K1": { ...key, signatures: { [user.userId]: { "ed25519:X": "c2ln" } } } } });
    expect(again.statusCode).toBe(200);
    expect(again.json().one_time_key_counts).toEqual({ signed_curve25519: 1 });
    const conflicting = await upload(user, {
      device_keys: device.deviceKeys(),
      one_time_keys: { "signed_curve25519:K2": device.signedKey("two"), "signed_curve25519:K1": device.signedKey("other") },
      fallback_keys: { "signed_curve25519:F": device.signedKey("f", true) },
    });
    expectError(conflicting, 400, "M_INVALID_PARAM");
    expect((await upload(user, {})).json().one_time_key_counts).toEqual({ signed_curve25519: 1 });
    expect(await ownKeys(user)).toEqual({});
    expect(await app.ctx.stores.e2eKeys.fallbackKeys(user.userId, user.deviceId)).toEqual([]);
  });

  it("replaces the fallback key of an algorithm with a new, unused one", async () => {
    const { user, device } = await newDevice();
    expect((await upload(user, { fallback_keys: { "signed_curve25519:F1": device.signedKey("f1", true) } })).statusCode).toBe(200);
    await app.ctx.stores.e2eKeys.claimFallbackKey({ userId: user.userId, deviceId: user.deviceId, algorithm: "signed_curve25519" });
    expect(await app.ctx.users.e2eKeys.unusedFallbackKeyTypes(user.userId, user.deviceId)).toEqual([]);
    expect((await upload(user, { fallback_keys: { "signed_curve25519:F2": device.signedKey("f2", true) } })).statusCode).toBe(200);
    const stored = await app.ctx.stores.e2eKeys.fallbackKeys(user.userId, user.deviceId);
    expect(stored.map((k) => [k.keyId, k.used])).toEqual([["F2", false]]);
    expect(await app.ctx.users.e2eKeys.unusedFallbackKeyTypes(user.userId, user.deviceId)).toEqual(["signed_curve25519"]);
  });

  it("refuses malformed keys: names without exactly one colon or wrong types are 400 M_BAD_JSON; two fallback keys of one algorithm 400 M_INVALID_PARAM", async () => {
    const { user, device } = await newDevice();
    expectError(await upload(user, { one_time_keys: { nocolon: "a2V5" } }), 400, "M_BAD_JSON");
    expectError(await upload(user, { one_time_keys: { "a:b:c": "a2V5" } }), 400, "M_BAD_JSON");
    expectError(await upload(user, { fallback_keys: { "signed_curve25519:": "a2V5" } }), 400, "M_BAD_JSON");
    expectError(await upload(user, { one_time_keys: { "signed_curve25519:A": { key: 5, signatures: {} } } }), 400, "M_BAD_JSON");
    expectError(await upload(user, { one_time_keys: { "signed_curve25519:A": { key: "a2V5" } } }), 400, "M_BAD_JSON");
    expectError(await upload(user, { one_time_keys: ["signed_curve25519:A"] }), 400, "M_BAD_JSON");
    expectError(await upload(user, { device_keys: null }), 400, "M_BAD_JSON");
    expectError(await upload(user, { device_keys: { user_id: user.userId, device_id: user.deviceId } }), 400, "M_BAD_JSON");
    const twoFallbacks = { "signed_curve25519:F1": device.signedKey("1", true), "signed_curve25519:F2": device.signedKey("2", true) };
    expectError(await upload(user, { fallback_keys: twoFallbacks }), 400, "M_INVALID_PARAM");
    expect(await app.ctx.stores.e2eKeys.fallbackKeys(user.userId, user.deviceId)).toEqual([]);
  });

  it("needs an access token: 401 M_MISSING_TOKEN", async () => {
    const response = await app.http.inject({ method: "POST", url: UPLOAD, payload: {} });
    expectError(response, 401, "M_MISSING_TOKEN");
  });
});

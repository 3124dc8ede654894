import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser } from "../../../homeserver/users/testing/http-users.js";
import { testDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";
import { testCrossSigningIdentity } from "../../../homeserver/users/e2e-keys/cross-signing/testing/cross-signing-identity.js";
import { call, federationPath, startPeer, stopPeers, type Peer } from "../testing/peers.js";

const V3 = "/_matrix/client/v3";
const devicesOf = (userId: string) => federationPath`/_matrix/federation/v1/user/devices/${userId}`;

/** GET /_matrix/federation/v1/user/devices/{userId}: our users' devices and keys, as another server asks for them. */
describe.each(testDrivers())("GET /user/devices (%s)", (driver) => {
  let a: Peer;
  let b: Peer;

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
  });
  afterAll(() => stopPeers(a, b));

  it("answers the user's devices with their keys and the stream id of their list, which each change moves on", async () => {
    const alice = await registerTestUser(a.app.http);
    const before = await call(b, a, "GET", devicesOf(alice.userId));
    // A device without keys cannot be written to: the spec's entries require keys. Its creation (the
    // registration's login) is the list's first change all the same, as in Synapse.
    expect(before).toEqual({ status: 200, json: { user_id: alice.userId, stream_id: 1, devices: [] } });

    const deviceKeys = testDevice(alice.userId, alice.deviceId).deviceKeys();
    const upload = await a.app.http.inject({ method: "POST", url: `${V3}/keys/upload`, headers: bearer(alice), payload: { device_keys: deviceKeys } });
    expect(upload.statusCode).toBe(200);
    const after = await call(b, a, "GET", devicesOf(alice.userId));
    expect(after.status).toBe(200);
    expect(after.json.user_id).toBe(alice.userId);
    expect(after.json.stream_id).toBeGreaterThan(before.json.stream_id);
    // No display names for other servers (as POST /user/keys/query, and Synapse by default).
    expect(after.json.devices).toEqual([{ device_id: alice.deviceId, keys: deviceKeys }]);

    const logout = await a.app.http.inject({ method: "POST", url: `${V3}/logout`, headers: bearer(alice), payload: {} });
    expect(logout.statusCode).toBe(200);
    const gone = await call(b, a, "GET", devicesOf(alice.userId));
    expect(gone.json.devices).toEqual([]);
    expect(gone.json.stream_id).toBeGreaterThan(after.json.stream_id);
  });

  it("carries the user's master and self-signing keys once they have them, never the user-signing key", async () => {
    const alice = await registerTestUser(a.app.http);
    const identity = testCrossSigningIdentity(alice.userId);
    const keys = identity.upload();
    const upload = await a.app.http.inject({ method: "POST", url: `${V3}/keys/device_signing/upload`, headers: bearer(alice), payload: keys });
    expect(upload.statusCode, upload.body).toBe(200);
    const answer = await call(b, a, "GET", devicesOf(alice.userId));
    expect(answer.status).toBe(200);
    expect(answer.json.master_key).toEqual(keys.master_key);
    expect(answer.json.self_signing_key).toEqual(keys.self_signing_key);
    expect(answer.json).not.toHaveProperty("user_signing_key");
  });

  it("carries the owner's cross-signatures of each device's keys", async () => {
    const alice = await registerTestUser(a.app.http);
    const deviceKeys = testDevice(alice.userId, alice.deviceId).deviceKeys();
    expect((await a.app.http.inject({ method: "POST", url: `${V3}/keys/upload`, headers: bearer(alice), payload: { device_keys: deviceKeys } })).statusCode).toBe(200);
    const identity = testCrossSigningIdentity(alice.userId);
    expect((await a.app.http.inject({ method: "POST", url: `${V3}/keys/device_signing/upload`, headers: bearer(alice), payload: identity.upload() })).statusCode).toBe(200);
    const signed = identity.selfSigning.sign(deviceKeys);
    const upload = await a.app.http.inject({ method: "POST", url: `${V3}/keys/signatures/upload`, headers: bearer(alice), payload: { [alice.userId]: { [alice.deviceId]: signed } } });
    expect(upload.json()).toEqual({ failures: {} });
    const answer = await call(b, a, "GET", devicesOf(alice.userId));
    expect(answer.json.devices[0].keys.signatures[alice.userId][identity.selfSigning.keyId]).toBe(signed.signatures[alice.userId][identity.selfSigning.keyId]);
    expect(answer.json.devices[0].keys.signatures[alice.userId][`ed25519:${alice.deviceId}`]).toBeDefined();
  });

  it("answers an unknown local user with no devices, and refuses users of other servers and unstorable ids with 400", async () => {
    expect(await call(b, a, "GET", devicesOf(`@nobody:${a.name}`))).toEqual({ status: 200, json: { user_id: `@nobody:${a.name}`, stream_id: 0, devices: [] } });
    expect(await call(b, a, "GET", devicesOf(`@bob:${b.name}`))).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
    expect(await call(b, a, "GET", devicesOf(`@nul\u0000:${a.name}`))).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
    expect(await call(b, a, "GET", devicesOf("not-a-user-id"))).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
  });

  it("needs a signed request", async () => {
    const response = await a.app.http.inject({ method: "GET", url: devicesOf(`@nobody:${a.name}`) });
    expect(response.statusCode).toBe(401);
  });
});

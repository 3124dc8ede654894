import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { testDevice, type TestDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";
import { testCrossSigningIdentity, testSigningKey, type TestCrossSigningIdentity } from "../../../homeserver/users/e2e-keys/cross-signing/testing/cross-signing-identity.js";

const V3 = "/_matrix/client/v3";
const SIGNATURES = `${V3}/keys/signatures/upload`;

/** A user with one device that has uploaded its keys, and cross-signing keys. */
interface CrossSignedUser {
  user: TestUser;
  device: TestDevice;
  deviceKeys: Record<string, unknown>;
  identity: TestCrossSigningIdentity;
}

describe.each(testDrivers())("POST /keys/signatures/upload on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  const post = (user: TestUser, url: string, payload: unknown) => app.http.inject({ method: "POST", url, headers: bearer(user), payload: payload as object });
  const ok = async (user: TestUser, url: string, payload: unknown) => {
    const response = await post(user, url, payload);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const sign = async (user: TestUser, payload: unknown) => {
    const body = await ok(user, SIGNATURES, payload);
    expect(specErrors("POST", SIGNATURES, 200, body)).toEqual([]);
    return body;
  };
  const query = async (user: TestUser, ...userIds: string[]) => {
    const body = await ok(user, `${V3}/keys/query`, { device_keys: Object.fromEntries(userIds.map((id) => [id, []])) });
    expect(specErrors("POST", `${V3}/keys/query`, 200, body)).toEqual([]);
    return body;
  };
  async function crossSigned(options: { crossSigning?: boolean } = {}): Promise<CrossSignedUser> {
    const user = await registerTestUser(app.http);
    const device = testDevice(user.userId, user.deviceId);
    const deviceKeys = device.deviceKeys();
    await ok(user, `${V3}/keys/upload`, { device_keys: deviceKeys });
    const identity = testCrossSigningIdentity(user.userId);
    if (options.crossSigning !== false) await ok(user, `${V3}/keys/device_signing/upload`, identity.upload());
    return { user, device, deviceKeys, identity };
  }
  const failure = (errcode: string) => ({ errcode, error: expect.any(String), status: expect.any(Number) });

  it("stores a device's signature by its user's self-signing key and the master key's by the device; /keys/query serves them merged in", async () => {
    const alice = await crossSigned();
    const bob = await registerTestUser(app.http);
    const signedDevice = alice.identity.selfSigning.sign(alice.deviceKeys);
    const masterKey = alice.identity.keyObject("master");
    const signedMaster = alice.device.sign(masterKey);
    const answer = await sign(alice.user, { [alice.user.userId]: { [alice.user.deviceId]: signedDevice, [alice.identity.master.publicKey]: signedMaster } });
    expect(answer).toEqual({ failures: {} });

    const forBob = await query(bob, alice.user.userId);
    const device = forBob.device_keys[alice.user.userId][alice.user.deviceId];
    expect(device.signatures[alice.user.userId]).toEqual(signedDevice.signatures[alice.user.userId]);
    expect(device.signatures[alice.user.userId][alice.identity.selfSigning.keyId]).toEqual(expect.any(String));
    // As Synapse: a master key carries the signatures its reader made, so Bob sees it as uploaded.
    expect(forBob.master_keys[alice.user.userId]).toEqual(masterKey);
    const forAlice = await query(alice.user, alice.user.userId);
    expect(forAlice.master_keys[alice.user.userId]).toEqual(signedMaster);
    expect(forAlice.device_keys[alice.user.userId][alice.user.deviceId].signatures).toEqual(device.signatures);

    // Sent again, it changes nothing and fails nothing.
    expect(await sign(alice.user, { [alice.user.userId]: { [alice.user.deviceId]: signedDevice, [alice.identity.master.publicKey]: signedMaster } })).toEqual({ failures: {} });
    expect((await query(bob, alice.user.userId)).device_keys).toEqual(forBob.device_keys);
  });

  it("answers each signature that is not stored in failures: a bad signature, another object than the stored one, an unknown device", async () => {
    const alice = await crossSigned();
    const impostor = testSigningKey(alice.user.userId, undefined);
    const badSelf = { ...alice.deviceKeys, signatures: { [alice.user.userId]: { [alice.identity.selfSigning.keyId]: impostor.sign(alice.deviceKeys).signatures[alice.user.userId][impostor.keyId] } } };
    const otherContent = alice.identity.selfSigning.sign({ ...alice.deviceKeys, algorithms: ["m.megolm.v1.aes-sha2"] });
    const ghost = alice.identity.selfSigning.sign(testDevice(alice.user.userId, "GHOST").deviceKeys());
    const masterByStranger = testDevice(alice.user.userId, "STRANGER").sign(alice.identity.keyObject("master"));
    const unsignedDevice = { ...alice.deviceKeys, signatures: {} };
    const answer = await sign(alice.user, {
      [alice.user.userId]: { [alice.user.deviceId]: badSelf, GHOST: ghost, [alice.identity.master.publicKey]: masterByStranger, OTHER: unsignedDevice },
    });
    expect(answer.failures).toEqual({
      [alice.user.userId]: {
        [alice.user.deviceId]: failure("M_INVALID_SIGNATURE"),
        GHOST: failure("M_NOT_FOUND"),
        [alice.identity.master.publicKey]: failure("M_INVALID_SIGNATURE"),
        OTHER: failure("M_INVALID_SIGNATURE"),
      },
    });
    const mismatch = await sign(alice.user, { [alice.user.userId]: { [alice.user.deviceId]: otherContent } });
    expect(mismatch.failures[alice.user.userId][alice.user.deviceId]).toEqual({ errcode: "M_UNKNOWN", error: "Key does not match", status: 400 });
    const device = (await query(alice.user, alice.user.userId)).device_keys[alice.user.userId][alice.user.deviceId];
    expect(Object.keys(device.signatures[alice.user.userId])).toEqual([`ed25519:${alice.user.deviceId}`]);
  });

  it("without cross-signing keys every signature of the user's keys fails with M_NOT_FOUND; a malformed body is 400 M_INVALID_PARAM", async () => {
    const alice = await crossSigned({ crossSigning: false });
    const signed = alice.identity.selfSigning.sign(alice.deviceKeys);
    expect((await sign(alice.user, { [alice.user.userId]: { [alice.user.deviceId]: signed } })).failures).toEqual({
      [alice.user.userId]: { [alice.user.deviceId]: failure("M_NOT_FOUND") },
    });
    expect((await sign(alice.user, { "@bob:test.local": { KEY: signed } })).failures).toEqual({ "@bob:test.local": { KEY: failure("M_NOT_FOUND") } });
    for (const payload of [{ [alice.user.userId]: "keys" }, { [alice.user.userId]: { [alice.user.deviceId]: [signed] } }, { "@bob:test.local": { KEY: 1 } }]) {
      const response = await post(alice.user, SIGNATURES, payload);
      expect({ status: response.statusCode, errcode: response.json().errcode }).toEqual({ status: 400, errcode: "M_INVALID_PARAM" });
    }
    expect((await post(alice.user, SIGNATURES, ["x"])).statusCode).toBe(400);
  });

  it("stores another user's master key signed by the user's user-signing key, shown to the signer only", async () => {
    const [alice, bob] = await Promise.all([crossSigned(), crossSigned()]);
    const carol = await registerTestUser(app.http);
    const bobMaster = bob.identity.keyObject("master");
    const signedByAlice = alice.identity.userSigning.sign(bobMaster);
    expect(await sign(alice.user, { [bob.user.userId]: { [bob.identity.master.publicKey]: signedByAlice } })).toEqual({ failures: {} });

    expect((await query(alice.user, bob.user.userId)).master_keys[bob.user.userId]).toEqual(signedByAlice);
    expect((await query(bob.user, bob.user.userId)).master_keys[bob.user.userId]).toEqual(bobMaster);
    expect((await query(carol, bob.user.userId)).master_keys[bob.user.userId]).toEqual(bobMaster);

    // Only the master key may be signed, and only by the user-signing key.
    const dave = await crossSigned();
    const bySelfSigning = alice.identity.selfSigning.sign(dave.identity.keyObject("master"));
    const answer = await sign(alice.user, { [dave.user.userId]: { [dave.identity.master.publicKey]: bySelfSigning, [dave.user.deviceId]: alice.identity.userSigning.sign(dave.deviceKeys) } });
    expect(answer.failures).toEqual({ [dave.user.userId]: { [dave.identity.master.publicKey]: failure("M_INVALID_SIGNATURE"), [dave.user.deviceId]: failure("M_NOT_FOUND") } });
    expect((await query(alice.user, dave.user.userId)).master_keys[dave.user.userId]).toEqual(dave.identity.keyObject("master"));
    const wrongKey = await sign(alice.user, { [carol.userId]: { KEY: alice.identity.userSigning.sign(bobMaster) } });
    expect(wrongKey.failures).toEqual({ [carol.userId]: { KEY: failure("M_NOT_FOUND") } });
  });

  it("a signature of the user's own device is a device-list change for their room-mates", async () => {
    const alice = await crossSigned();
    const bob = await registerTestUser(app.http);
    const { room_id: roomId } = await ok(alice.user, `${V3}/createRoom`, { preset: "public_chat" });
    await ok(bob, `${V3}/join/${encodeURIComponent(roomId)}`, {});
    const syncOf = async (since?: string) => {
      const response = await app.http.inject({ method: "GET", url: `${V3}/sync`, headers: bearer(bob), query: since ? { since, timeout: "0" } : { timeout: "0" } });
      return response.json();
    };
    const before = await syncOf();
    await sign(alice.user, { [alice.user.userId]: { [alice.user.deviceId]: alice.identity.selfSigning.sign(alice.deviceKeys) } });
    expect((await syncOf(before.next_batch)).device_lists).toEqual({ changed: [alice.user.userId] });
  });

  it("a deleted device takes its signatures with it: the same device id signed in again with new keys carries none", async () => {
    const alice = await crossSigned();
    await sign(alice.user, {
      [alice.user.userId]: { [alice.user.deviceId]: alice.identity.selfSigning.sign(alice.deviceKeys), [alice.identity.master.publicKey]: alice.device.sign(alice.identity.keyObject("master")) },
    });
    const other = await app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.user.localpart }, password: alice.user.password },
    });
    const second: TestUser = { ...alice.user, accessToken: other.json().access_token, deviceId: other.json().device_id };
    await ok(second, `${V3}/delete_devices`, { devices: [alice.user.deviceId], auth: passwordAuth(alice.user) });
    expect(await app.ctx.stores.crossSigning.signaturesOn(app.ctx.db, [{ userId: alice.user.userId, keyId: alice.user.deviceId }, { userId: alice.user.userId, keyId: alice.identity.master.publicKey }])).toEqual([]);

    const again = await app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.user.localpart }, password: alice.user.password, device_id: alice.user.deviceId },
    });
    const back: TestUser = { ...alice.user, accessToken: again.json().access_token };
    const newKeys = testDevice(back.userId, back.deviceId).deviceKeys();
    await ok(back, `${V3}/keys/upload`, { device_keys: newKeys });
    const device = (await query(second, alice.user.userId)).device_keys[alice.user.userId][alice.user.deviceId];
    expect(device.signatures).toEqual(newKeys.signatures);
    expect((await query(second, alice.user.userId)).master_keys[alice.user.userId]).toEqual(alice.identity.keyObject("master"));
  });

  it("deactivation deletes the signatures the user made and those of their keys", async () => {
    const [alice, bob] = await Promise.all([crossSigned(), crossSigned()]);
    await sign(alice.user, { [bob.user.userId]: { [bob.identity.master.publicKey]: alice.identity.userSigning.sign(bob.identity.keyObject("master")) } });
    await sign(bob.user, { [alice.user.userId]: { [alice.identity.master.publicKey]: bob.identity.userSigning.sign(alice.identity.keyObject("master")) } });
    await ok(alice.user, `${V3}/account/deactivate`, { auth: passwordAuth(alice.user) });
    const targets = [
      { userId: bob.user.userId, keyId: bob.identity.master.publicKey },
      { userId: alice.user.userId, keyId: alice.identity.master.publicKey },
    ];
    expect(await app.ctx.stores.crossSigning.signaturesOn(app.ctx.db, targets, alice.user.userId)).toEqual([]);
    expect(await app.ctx.stores.crossSigning.signaturesOn(app.ctx.db, targets, bob.user.userId)).toEqual([]);
  });
});

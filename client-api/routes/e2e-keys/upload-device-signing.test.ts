import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, passwordAuth, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { testCrossSigningIdentity, testSigningKey } from "../../../homeserver/users/e2e-keys/cross-signing/testing/cross-signing-identity.js";

const V3 = "/_matrix/client/v3";
const UPLOAD = `${V3}/keys/device_signing/upload`;

describe.each(testDrivers())("POST /keys/device_signing/upload on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  const post = (user: TestUser, url: string, payload: unknown) => app.http.inject({ method: "POST", url, headers: bearer(user), payload: payload as object });
  const upload = (user: TestUser, payload: unknown) => post(user, UPLOAD, payload);
  const query = async (user: TestUser, ...userIds: string[]) => {
    const response = await post(user, `${V3}/keys/query`, { device_keys: Object.fromEntries(userIds.map((id) => [id, []])) });
    expect(response.statusCode).toBe(200);
    expect(specErrors("POST", `${V3}/keys/query`, 200, response.json())).toEqual([]);
    return response.json();
  };
  const expectError = (response: { statusCode: number; json(): any }, status: number, errcode: string) => {
    expect({ status: response.statusCode, errcode: response.json().errcode }).toEqual({ status, errcode });
    if (status === 400 || status === 403) expect(specErrors("POST", "/_matrix/client/v3/keys/device_signing/upload", status, response.json())).toEqual([]);
  };

  it("takes a user's first keys without UIA; /keys/query shows master and self-signing keys to anyone, the user-signing key to its user only", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const identity = testCrossSigningIdentity(alice.userId);
    const keys = identity.upload();
    const response = await upload(alice, keys);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({});
    expect(specErrors("POST", UPLOAD, 200, response.json())).toEqual([]);

    const own = await query(alice, alice.userId);
    expect(own.master_keys).toEqual({ [alice.userId]: keys.master_key });
    expect(own.self_signing_keys).toEqual({ [alice.userId]: keys.self_signing_key });
    expect(own.user_signing_keys).toEqual({ [alice.userId]: keys.user_signing_key });
    const seenByBob = await query(bob, alice.userId, bob.userId);
    expect(seenByBob.master_keys).toEqual({ [alice.userId]: keys.master_key });
    expect(seenByBob.self_signing_keys).toEqual({ [alice.userId]: keys.self_signing_key });
    expect(seenByBob.user_signing_keys).toBeUndefined();
    // Bob queried himself too, but has no keys: nothing of his is listed.
    expect(Object.keys(seenByBob.master_keys)).toEqual([alice.userId]);
  });

  it("takes the same keys again without UIA, but replacing them needs the user's password", async () => {
    const alice = await registerTestUser(app.http);
    const first = testCrossSigningIdentity(alice.userId).upload();
    expect((await upload(alice, first)).statusCode).toBe(200);
    expect((await upload(alice, first)).statusCode).toBe(200);
    expect((await upload(alice, { master_key: first.master_key })).statusCode).toBe(200);

    const second = testCrossSigningIdentity(alice.userId).upload();
    const challenge = await upload(alice, second);
    expect(challenge.statusCode).toBe(401);
    expect(challenge.json()).toMatchObject({ flows: [{ stages: ["m.login.password"] }], session: expect.any(String) });
    expect(challenge.json().errcode).toBeUndefined();
    const session = challenge.json().session as string;
    const wrong = await upload(alice, { ...second, auth: { ...passwordAuth({ ...alice, password: "not it" }), session } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().errcode).toBe("M_FORBIDDEN");
    // Still the first keys.
    expect((await query(alice, alice.userId)).master_keys[alice.userId]).toEqual(first.master_key);

    const done = await upload(alice, { ...second, auth: passwordAuth(alice, session) });
    expect(done.statusCode, done.body).toBe(200);
    const now = await query(alice, alice.userId);
    expect(now.master_keys[alice.userId]).toEqual(second.master_key);
    expect(now.self_signing_keys[alice.userId]).toEqual(second.self_signing_key);
    expect(now.user_signing_keys[alice.userId]).toEqual(second.user_signing_key);
  });

  it("takes a new self-signing key alone, signed by the stored master key, after UIA", async () => {
    const alice = await registerTestUser(app.http);
    const identity = testCrossSigningIdentity(alice.userId);
    expect((await upload(alice, { master_key: identity.keyObject("master") })).statusCode).toBe(200);
    const selfSigning = identity.master.sign(identity.keyObject("self_signing"));
    expect((await upload(alice, { self_signing_key: selfSigning })).statusCode).toBe(401);
    const done = await upload(alice, { self_signing_key: selfSigning, auth: passwordAuth(alice) });
    expect(done.statusCode, done.body).toBe(200);
    expect((await query(alice, alice.userId)).self_signing_keys[alice.userId]).toEqual(selfSigning);
  });

  it("refuses keys that are not the user's, not for their use, or not one ed25519 key: 400 M_INVALID_PARAM", async () => {
    const alice = await registerTestUser(app.http);
    const identity = testCrossSigningIdentity(alice.userId);
    const master = identity.keyObject("master");
    const other = testSigningKey(alice.userId);
    for (const bad of [
      { ...master, user_id: "@someone:else" },
      { ...master, usage: ["self_signing"] },
      { ...master, keys: {} },
      { ...master, keys: { ...master.keys, [other.keyId]: other.publicKey } },
      { ...master, keys: { [`curve25519:${other.publicKey}`]: other.publicKey } },
      { ...master, keys: { [other.keyId]: "c2hvcnQ" } },
      { usage: ["master"], keys: master.keys },
    ]) {
      expectError(await upload(alice, { master_key: bad }), 400, "M_INVALID_PARAM");
    }
    expect((await query(alice, alice.userId)).master_keys).toBeUndefined();
  });

  it("refuses malformed JSON (400 M_BAD_JSON), other keys without a master key (400 M_MISSING_PARAM) and keys the master key did not sign (400 M_INVALID_SIGNATURE)", async () => {
    const alice = await registerTestUser(app.http);
    const identity = testCrossSigningIdentity(alice.userId);
    expectError(await upload(alice, { master_key: "key" }), 400, "M_BAD_JSON");
    expectError(await upload(alice, { master_key: { ...identity.keyObject("master"), keys: { a: 1 } } }), 400, "M_BAD_JSON");
    expectError(await upload(alice, { master_key: { ...identity.keyObject("master"), usage: "master" } }), 400, "M_BAD_JSON");
    expectError(await upload(alice, { self_signing_key: identity.upload().self_signing_key }), 400, "M_MISSING_PARAM");

    const impostor = testSigningKey(alice.userId);
    expectError(await upload(alice, { master_key: identity.keyObject("master"), self_signing_key: impostor.sign(identity.keyObject("self_signing")) }), 400, "M_INVALID_SIGNATURE");
    expectError(await upload(alice, { master_key: identity.keyObject("master"), user_signing_key: identity.keyObject("user_signing") }), 400, "M_INVALID_SIGNATURE");
    const tampered = { ...identity.master.sign(identity.keyObject("user_signing")), usage: ["user_signing", "extra"] };
    expectError(await upload(alice, { master_key: identity.keyObject("master"), user_signing_key: tampered }), 400, "M_INVALID_SIGNATURE");
    // Nothing of a refused upload is stored, not even its valid master key.
    expect((await query(alice, alice.userId)).master_keys).toBeUndefined();
  });

  it("refuses a key whose id is one of the user's device ids: 403 M_FORBIDDEN", async () => {
    const alice = await registerTestUser(app.http);
    const identity = testCrossSigningIdentity(alice.userId);
    const login = await app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.localpart }, password: alice.password, device_id: identity.master.publicKey },
    });
    expect(login.statusCode).toBe(200);
    expectError(await upload(alice, identity.upload()), 403, "M_FORBIDDEN");
  });

  it("is a device-list change: room-mates and the user see it in device_lists.changed and /keys/changes", async () => {
    const [alice, bob, carol] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    const created = await post(alice, `${V3}/createRoom`, { preset: "public_chat" });
    const roomId = created.json().room_id as string;
    expect((await post(bob, `${V3}/join/${encodeURIComponent(roomId)}`, {})).statusCode).toBe(200);
    const sync = async (who: TestUser, since?: string) => {
      const response = await app.http.inject({ method: "GET", url: `${V3}/sync`, headers: bearer(who), query: since ? { since, timeout: "0" } : { timeout: "0" } });
      expect(response.statusCode).toBe(200);
      return response.json();
    };
    const [bobBefore, carolBefore] = await Promise.all([sync(bob), sync(carol)]);
    expect((await upload(alice, testCrossSigningIdentity(alice.userId).upload())).statusCode).toBe(200);
    const bobAfter = await sync(bob, bobBefore.next_batch);
    expect(bobAfter.device_lists).toEqual({ changed: [alice.userId] });
    expect((await sync(carol, carolBefore.next_batch)).device_lists).toBeUndefined();
    const changes = await app.http.inject({ method: "GET", url: `${V3}/keys/changes`, headers: bearer(bob), query: { from: bobBefore.next_batch, to: bobAfter.next_batch } });
    expect(changes.json()).toEqual({ changed: [alice.userId], left: [] });
  });

  it("deactivation deletes the user's cross-signing keys", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    expect((await upload(alice, testCrossSigningIdentity(alice.userId).upload())).statusCode).toBe(200);
    const deactivated = await post(alice, `${V3}/account/deactivate`, { auth: passwordAuth(alice) });
    expect(deactivated.statusCode, deactivated.body).toBe(200);
    const seen = await query(bob, alice.userId);
    expect(seen.master_keys).toBeUndefined();
    expect(seen.self_signing_keys).toBeUndefined();
    expect(await app.ctx.stores.crossSigning.keysOf(app.ctx.db, [alice.userId])).toEqual([]);
  });
});

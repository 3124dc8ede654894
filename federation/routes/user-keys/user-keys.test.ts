import { request as undiciRequest } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { testDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";
import { call, startPeer, stopPeers, type Peer } from "../testing/peers.js";

const QUERY = "/_matrix/federation/v1/user/keys/query";
const CLAIM = "/_matrix/federation/v1/user/keys/claim";

/** A's users' keys, asked for by B: over federation directly, and by B's clients through B. */
describe.each(testDrivers())("federation user keys (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: TestUser;
  let deviceKeys: Record<string, unknown>;
  let oneTimeKeys: Record<string, Record<string, unknown>>;

  const clientPost = (peer: Peer, user: TestUser, path: string, payload: object) =>
    peer.app.http.inject({ method: "POST", url: `/_matrix/client/v3${path}`, headers: bearer(user), payload });

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver), startPeer(driver)]);
    alice = await registerTestUser(a.app.http);
    const device = testDevice(alice.userId, alice.deviceId);
    deviceKeys = device.deviceKeys();
    oneTimeKeys = Object.fromEntries(["K1", "K2", "K3"].map((id) => [`signed_curve25519:${id}`, device.signedKey(id)]));
    const uploaded = await clientPost(a, alice, "/keys/upload", { device_keys: deviceKeys, one_time_keys: oneTimeKeys });
    expect(uploaded.statusCode).toBe(200);
  });
  afterAll(() => stopPeers(a, b));

  it("POST /user/keys/query answers A's users' device keys, without device display names", async () => {
    const answer = await call(b, a, "POST", QUERY, { device_keys: { [alice.userId]: [], [`@nobody:${a.name}`]: [] } });
    expect(answer).toEqual({
      status: 200,
      json: { device_keys: { [alice.userId]: { [alice.deviceId]: { ...deviceKeys, unsigned: {} } }, [`@nobody:${a.name}`]: {} } },
    });
    const oneDevice = await call(b, a, "POST", QUERY, { device_keys: { [alice.userId]: ["OTHER"] } });
    expect(oneDevice.json).toEqual({ device_keys: { [alice.userId]: {} } });
  });

  it("POST /user/keys/query and /claim refuse users of another server (400) and malformed bodies (400 M_BAD_JSON)", async () => {
    expect(await call(b, a, "POST", QUERY, { device_keys: { [`@bob:${b.name}`]: [] } })).toMatchObject({ status: 400, json: { errcode: "M_INVALID_PARAM" } });
    expect(await call(b, a, "POST", CLAIM, { one_time_keys: { [`@bob:${b.name}`]: { DEV: "signed_curve25519" } } })).toMatchObject({
      status: 400,
      json: { errcode: "M_INVALID_PARAM" },
    });
    expect(await call(b, a, "POST", QUERY, {})).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
    expect(await call(b, a, "POST", CLAIM, { one_time_keys: { [alice.userId]: ["x"] } })).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
  });

  it("POST /user/keys/claim hands out one of A's one-time keys, and deletes it", async () => {
    const answer = await call(b, a, "POST", CLAIM, { one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } });
    expect(answer.status).toBe(200);
    const keys = answer.json.one_time_keys[alice.userId][alice.deviceId];
    const [name] = Object.keys(keys);
    expect(keys).toEqual({ [name]: oneTimeKeys[name] });
    const counts = await clientPost(a, alice, "/keys/upload", {});
    expect(counts.json().one_time_key_counts.signed_curve25519).toBe(2);
  });

  it("B's clients get A's users' keys through B: /keys/query and /keys/claim ask A over federation", async () => {
    const bob = await registerTestUser(b.app.http);
    const queried = await clientPost(b, bob, "/keys/query", { device_keys: { [alice.userId]: [] } });
    expect(queried.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/keys/query", 200, queried.json())).toEqual([]);
    expect(queried.json()).toEqual({ device_keys: { [alice.userId]: { [alice.deviceId]: { ...deviceKeys, unsigned: {} } } }, failures: {} });
    const claimed = await clientPost(b, bob, "/keys/claim", { one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } });
    expect(claimed.statusCode).toBe(200);
    expect(specErrors("POST", "/_matrix/client/v3/keys/claim", 200, claimed.json())).toEqual([]);
    const keys = claimed.json().one_time_keys[alice.userId][alice.deviceId];
    expect(Object.values(keys)).toEqual([oneTimeKeys[Object.keys(keys)[0]]]);
    expect(claimed.json().failures).toEqual({});
  });

  it("answers only signed requests", async () => {
    for (const path of [QUERY, CLAIM]) {
      const response = await undiciRequest(`http://${a.name}${path}`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      expect(response.statusCode).toBe(401);
      expect(await response.body.json()).toMatchObject({ errcode: "M_UNAUTHORIZED" });
    }
  });
});

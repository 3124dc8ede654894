import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { eventually } from "../../../homeserver/app/testing/loopback-server.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";
import { testDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";
import { testCrossSigningIdentity, type TestCrossSigningIdentity } from "../../../homeserver/users/e2e-keys/cross-signing/testing/cross-signing-identity.js";
import { call, federationPath, startPeer, stopPeers, type Peer } from "../testing/peers.js";

const V3 = "/_matrix/client/v3";
const QUERY = "/_matrix/federation/v1/user/keys/query";

/**
 * Cross-signing between two servers: A's users' master and self-signing keys over POST /user/keys/query (and
 * through B to B's clients), signatures of them by B's users, and the m.signing_key_update EDU both ways.
 */
describe.each(testDrivers())("cross-signing over federation (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: TestUser;
  let bob: TestUser;
  let aliceIdentity: TestCrossSigningIdentity;
  let aliceDeviceKeys: Record<string, unknown>;
  let roomId: string;
  let txn = 0;

  const client = async (peer: Peer, user: TestUser, method: "GET" | "POST", url: string, payload?: unknown, query?: Record<string, string>) => {
    const response = await peer.app.http.inject({ method, url, headers: bearer(user), payload: payload as object, query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const keysOnB = async (userId: string) => Object.fromEntries((await b.app.ctx.stores.crossSigning.keysOf(b.app.ctx.db, [userId])).map((k) => [k.keyType, JSON.parse(k.keyJson)]));
  const sendEdus = (edus: unknown[]) =>
    call(a, b, "PUT", federationPath`/_matrix/federation/v1/send/${`signing-keys-${driver}-${++txn}`}`, { origin: a.name, origin_server_ts: Date.now(), pdus: [], edus });

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver, { federationSender: true }), startPeer(driver, { federationSender: true })]);
    [alice, bob] = await Promise.all([registerTestUser(a.app.http), registerTestUser(b.app.http)]);
    const device = testDevice(alice.userId, alice.deviceId);
    aliceDeviceKeys = device.deviceKeys();
    await client(a, alice, "POST", `${V3}/keys/upload`, { device_keys: aliceDeviceKeys });
    aliceIdentity = testCrossSigningIdentity(alice.userId);
    await client(a, alice, "POST", `${V3}/keys/device_signing/upload`, aliceIdentity.upload());
    await client(a, alice, "POST", `${V3}/keys/signatures/upload`, {
      [alice.userId]: { [alice.deviceId]: aliceIdentity.selfSigning.sign(aliceDeviceKeys), [aliceIdentity.master.publicKey]: device.sign(aliceIdentity.keyObject("master")) },
    });
  });
  afterAll(() => stopPeers(a, b));

  it("POST /user/keys/query answers master and self-signing keys (never the user-signing key) and the devices' cross-signatures", async () => {
    const answer = await call(b, a, "POST", QUERY, { device_keys: { [alice.userId]: [] } });
    expect(answer.status).toBe(200);
    const uploaded = aliceIdentity.upload();
    expect(answer.json.master_keys).toEqual({ [alice.userId]: uploaded.master_key });
    expect(answer.json.self_signing_keys).toEqual({ [alice.userId]: uploaded.self_signing_key });
    expect(answer.json.user_signing_keys).toBeUndefined();
    const device = answer.json.device_keys[alice.userId][alice.deviceId];
    expect(device.signatures[alice.userId][aliceIdentity.selfSigning.keyId]).toEqual(expect.any(String));
  });

  it("B's clients get A's users' cross-signing keys through B, and a signature of one by a B user is kept on B and shown to that user", async () => {
    const queried = await client(b, bob, "POST", `${V3}/keys/query`, { device_keys: { [alice.userId]: [] } });
    expect(specErrors("POST", `${V3}/keys/query`, 200, queried)).toEqual([]);
    expect(queried.master_keys).toEqual({ [alice.userId]: aliceIdentity.keyObject("master") });
    expect(queried.self_signing_keys[alice.userId]).toEqual(aliceIdentity.upload().self_signing_key);
    expect(queried.user_signing_keys).toBeUndefined();

    const bobIdentity = testCrossSigningIdentity(bob.userId);
    await client(b, bob, "POST", `${V3}/keys/device_signing/upload`, bobIdentity.upload());
    // B does not hold Alice's master key (they share no room): it asks A for it.
    expect(await keysOnB(alice.userId)).toEqual({});
    const signed = bobIdentity.userSigning.sign(aliceIdentity.keyObject("master"));
    expect(await client(b, bob, "POST", `${V3}/keys/signatures/upload`, { [alice.userId]: { [aliceIdentity.master.publicKey]: signed } })).toEqual({ failures: {} });
    const after = await client(b, bob, "POST", `${V3}/keys/query`, { device_keys: { [alice.userId]: [] } });
    expect(after.master_keys[alice.userId]).toEqual(signed);
  });

  it("a change of a user's keys goes to the servers sharing a room as m.signing_key_update: kept there, and a device-list change for the user's room-mates", async () => {
    ({ room_id: roomId } = await client(a, alice, "POST", `${V3}/createRoom`, { preset: "public_chat" }));
    await client(b, bob, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {}, { server_name: a.name });
    await eventually(async () => ((await a.app.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(bob.userId) === "join" ? true : undefined), "bob's join on a");
    const { next_batch: since } = await client(b, bob, "GET", `${V3}/sync`, undefined, { timeout: "0" });

    const reset = testCrossSigningIdentity(alice.userId);
    const keys = reset.upload();
    const first = await a.app.http.inject({ method: "POST", url: `${V3}/keys/device_signing/upload`, headers: bearer(alice), payload: keys });
    expect(first.statusCode).toBe(401);
    await client(a, alice, "POST", `${V3}/keys/device_signing/upload`, {
      ...keys,
      auth: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.userId }, password: alice.password, session: first.json().session },
    });
    const stored = await eventually(async () => {
      const onB = await keysOnB(alice.userId);
      return onB.master?.keys?.[reset.master.keyId] ? onB : undefined;
    }, "alice's new keys on b");
    expect(stored).toEqual({ master: keys.master_key, self_signing: keys.self_signing_key });
    const changed = await eventually(async () => {
      const sync = await client(b, bob, "GET", `${V3}/sync`, undefined, { since, timeout: "0" });
      return sync.device_lists?.changed?.includes(alice.userId) ? true : undefined;
    }, "alice in bob's device_lists.changed");
    expect(changed).toBe(true);
    aliceIdentity = reset;
  });

  it("takes m.signing_key_update only about the origin's own users who share a room here, with well-formed keys signed by their master key", async () => {
    const carol = await registerTestUser(a.app.http);
    await client(a, carol, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {});
    await eventually(async () => ((await b.app.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(carol.userId) === "join" ? true : undefined), "carol's join on b");
    const loner = `@loner:${a.name}`;
    const onB = `@someone:${b.name}`;
    const forged = `@mallory:elsewhere.example`;
    const carolKeys = testCrossSigningIdentity(carol.userId).upload();
    const lonerKeys = testCrossSigningIdentity(loner).upload();
    const edu = (userId: string, content: Record<string, unknown>) => ({ edu_type: "m.signing_key_update", content: { user_id: userId, ...content } });
    const wrongSigner = testCrossSigningIdentity(carol.userId);
    const answer = await sendEdus([
      edu(onB, testCrossSigningIdentity(onB).upload()),
      edu(forged, testCrossSigningIdentity(forged).upload()),
      edu(loner, { master_key: lonerKeys.master_key, self_signing_key: lonerKeys.self_signing_key }),
      edu(carol.userId, { master_key: { ...carolKeys.master_key, usage: ["self_signing"] } }),
      edu(carol.userId, { master_key: carolKeys.master_key, self_signing_key: wrongSigner.upload().self_signing_key }),
      { edu_type: "m.signing_key_update", content: { master_key: carolKeys.master_key } },
    ]);
    expect(answer).toEqual({ status: 200, json: { pdus: {} } });
    for (const userId of [onB, forged, loner, carol.userId]) expect(await keysOnB(userId)).toEqual({});

    const { next_batch: since } = await client(b, bob, "GET", `${V3}/sync`, undefined, { timeout: "0" });
    const valid = await sendEdus([edu(carol.userId, { master_key: carolKeys.master_key, self_signing_key: carolKeys.self_signing_key })]);
    expect(valid.status).toBe(200);
    expect(await keysOnB(carol.userId)).toEqual({ master: carolKeys.master_key, self_signing: carolKeys.self_signing_key });
    // B's clients hear of it as a change of Carol's device list.
    const after = await client(b, bob, "GET", `${V3}/sync`, undefined, { since, timeout: "0" });
    expect(after.device_lists?.changed).toContain(carol.userId);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../testing/http-users.js";
import { testDevice } from "../e2e-keys/testing/signed-device.js";
import { specErrors } from "../testing/spec-responses.js";

const V3 = "/_matrix/client/v3";

/** device_lists, one-time key counts in /sync and GET /keys/changes, through the client API. */
describe.each(testDrivers())("device lists on %s", (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(driver);
  });
  afterAll(() => app.dispose());

  async function call(who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: unknown, query: Record<string, string> = {}) {
    const response = await app.http.inject({ method, url, headers: bearer(who), payload: payload as object, query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const sync = (who: TestUser, since?: string, timeout = "0") => call(who, "GET", `${V3}/sync`, undefined, since ? { since, timeout } : { timeout });
  const uploadKeys = (who: TestUser) => call(who, "POST", `${V3}/keys/upload`, { device_keys: testDevice(who.userId, who.deviceId).deviceKeys() });
  async function roomOf(owner: TestUser, ...members: TestUser[]): Promise<string> {
    const { room_id: roomId } = await call(owner, "POST", `${V3}/createRoom`, { preset: "public_chat" });
    for (const member of members) await call(member, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {});
    return roomId;
  }

  it("tells room-mates and the user themself of new device keys, and nobody else", async () => {
    const [alice, bob, carol] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    await roomOf(alice, bob);
    const [forAlice, forBob, forCarol] = await Promise.all([sync(alice), sync(bob), sync(carol)]);
    // An initial sync has no device_lists.
    expect(forBob.device_lists).toBeUndefined();
    await uploadKeys(alice);
    const bobAfter = await sync(bob, forBob.next_batch);
    expect(specErrors("GET", `${V3}/sync`, 200, bobAfter)).toEqual([]);
    expect(bobAfter.device_lists).toEqual({ changed: [alice.userId] });
    expect((await sync(alice, forAlice.next_batch)).device_lists).toEqual({ changed: [alice.userId] });
    expect((await sync(carol, forCarol.next_batch)).device_lists).toBeUndefined();
  });

  it("a long-polling room-mate is woken by a key upload", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await roomOf(alice, bob);
    const { next_batch: since } = await sync(bob);
    const waiting = sync(bob, since, "20000");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await uploadKeys(alice);
    expect((await waiting).device_lists).toEqual({ changed: [alice.userId] });
  });

  it("lists users who begin sharing a room as changed and those who stop as left", async () => {
    const [alice, bob, dave] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http), registerTestUser(app.http)]);
    const roomId = await roomOf(alice, bob);
    const start = await sync(bob);
    await call(dave, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {});
    const joined = await sync(bob, start.next_batch);
    expect(joined.device_lists).toEqual({ changed: [dave.userId] });
    await call(dave, "POST", `${V3}/rooms/${encodeURIComponent(roomId)}/leave`, {});
    const left = await sync(bob, joined.next_batch);
    expect(left.device_lists).toEqual({ left: [dave.userId] });
    // Bob joining a room of others makes them all changed for him.
    const [erin, frank] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    const other = await roomOf(erin, frank);
    const before = await sync(bob, left.next_batch);
    await call(bob, "POST", `${V3}/join/${encodeURIComponent(other)}`, {});
    expect((await sync(bob, before.next_batch)).device_lists).toEqual({ changed: [erin.userId, frank.userId].sort() });
  });

  it("a deleted device is a change, and GET /keys/changes gives what sync gave over the same window", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await roomOf(alice, bob);
    const { next_batch: from } = await sync(bob);
    const second = await app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.userId }, password: alice.password },
    });
    const other = second.json() as { access_token: string };
    const afterLogin = await sync(bob, from);
    await call({ ...alice, accessToken: other.access_token }, "POST", `${V3}/logout`, {});
    const afterLogout = await sync(bob, afterLogin.next_batch);
    expect(afterLogout.device_lists).toEqual({ changed: [alice.userId] });
    const changes = await call(bob, "GET", `${V3}/keys/changes`, undefined, { from, to: afterLogout.next_batch });
    expect(specErrors("GET", `${V3}/keys/changes`, 200, changes)).toEqual([]);
    expect(changes).toEqual({ changed: [alice.userId], left: [] });
    const bad = await app.http.inject({ method: "GET", url: `${V3}/keys/changes`, headers: bearer(bob), query: { from: "nonsense", to: afterLogout.next_batch } });
    expect(bad.statusCode).toBe(400);
    const missing = await app.http.inject({ method: "GET", url: `${V3}/keys/changes`, headers: bearer(bob), query: { from } });
    expect(missing.statusCode).toBe(400);
  });

  it("every sync response carries the device's one-time key counts and unused fallback key types", async () => {
    const alice = await registerTestUser(app.http);
    const device = testDevice(alice.userId, alice.deviceId);
    const initial = await sync(alice);
    expect(initial.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(initial.device_unused_fallback_key_types).toEqual([]);
    await call(alice, "POST", `${V3}/keys/upload`, {
      one_time_keys: { "signed_curve25519:AAAA": device.signedKey("one"), "signed_curve25519:AAAB": device.signedKey("two") },
      fallback_keys: { "signed_curve25519:FFFF": device.signedKey("fallback", true) },
    });
    const after = await sync(alice, initial.next_batch);
    expect(after.device_one_time_keys_count).toEqual({ signed_curve25519: 2 });
    expect(after.device_unused_fallback_key_types).toEqual(["signed_curve25519"]);
    // Another user claims keys: the counts go down, and once the one-time keys are gone the fallback key is used.
    const bob = await registerTestUser(app.http);
    const claim = () => call(bob, "POST", `${V3}/keys/claim`, { one_time_keys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } });
    await claim();
    expect((await sync(alice, after.next_batch)).device_one_time_keys_count).toEqual({ signed_curve25519: 1 });
    await claim();
    await claim();
    const drained = await sync(alice, after.next_batch);
    expect(drained.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(drained.device_unused_fallback_key_types).toEqual([]);
  });
});

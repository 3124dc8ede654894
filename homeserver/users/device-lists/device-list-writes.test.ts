import { describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../testing/http-users.js";
import { testDevice } from "../e2e-keys/testing/signed-device.js";
import { testCrossSigningIdentity } from "../e2e-keys/cross-signing/testing/cross-signing-identity.js";

const V3 = "/_matrix/client/v3";

/**
 * Device list changes that do not come from a key upload: a login's new device (before it has keys), a device
 * renamed, and a signature of another user's master key by one's user-signing key (one's other devices re-fetch
 * who one has verified). Synapse tells room-mates of each.
 */
describe.each(testDrivers())("device list changes of logins, renames and user-signing on %s", (driver) => {
  const { app } = useTestApp(driver);

  async function call(who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: unknown, query: Record<string, string> = {}) {
    const response = await app.http.inject({ method, url, headers: bearer(who), payload: payload as object, query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const sync = async (who: TestUser, since?: string) =>
    (await call(who, "GET", `${V3}/sync`, undefined, since ? { since, timeout: "0" } : { timeout: "0" })) as { next_batch: string; device_lists?: { changed?: string[] } };
  async function shareRoom(owner: TestUser, member: TestUser): Promise<void> {
    const { room_id: roomId } = await call(owner, "POST", `${V3}/createRoom`, { preset: "public_chat" });
    await call(member, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {});
  }

  it("a login's new device is a change for room-mates before it uploads keys; logging in again on that device is not", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await shareRoom(alice, bob);
    const { next_batch: from } = await sync(bob);
    const login = (deviceId?: string) =>
      app.http.inject({
        method: "POST",
        url: `${V3}/login`,
        payload: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.userId }, password: alice.password, device_id: deviceId },
      });
    const first = await login("NEWPHONE");
    expect(first.statusCode, first.body).toBe(200);
    const afterLogin = await sync(bob, from);
    expect(afterLogin.device_lists).toEqual({ changed: [alice.userId] });
    const again = await login("NEWPHONE");
    expect(again.statusCode, again.body).toBe(200);
    expect((await sync(bob, afterLogin.next_batch)).device_lists).toBeUndefined();
  });

  it("renaming a device is a change for room-mates and the user's other devices", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    await shareRoom(alice, bob);
    const [forAlice, forBob] = await Promise.all([sync(alice), sync(bob)]);
    await call(alice, "PUT", `${V3}/devices/${encodeURIComponent(alice.deviceId)}`, { display_name: "kitchen tablet" });
    expect((await sync(bob, forBob.next_batch)).device_lists).toEqual({ changed: [alice.userId] });
    expect((await sync(alice, forAlice.next_batch)).device_lists).toEqual({ changed: [alice.userId] });
    expect((await call(bob, "POST", `${V3}/keys/query`, { device_keys: { [alice.userId]: [] } })).device_keys).toEqual({ [alice.userId]: {} });
    // A rename of a device the user does not have changes nothing and is 404.
    const missing = await app.http.inject({ method: "PUT", url: `${V3}/devices/NOSUCH`, headers: bearer(alice), payload: { display_name: "x" } });
    expect(missing.statusCode).toBe(404);
    expect((await sync(bob, (await sync(bob, forBob.next_batch)).next_batch)).device_lists).toBeUndefined();
  });

  it("signing another user's master key with one's user-signing key is a change of one's own device list", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(app.http), registerTestUser(app.http)]);
    for (const user of [alice, bob]) {
      await call(user, "POST", `${V3}/keys/upload`, { device_keys: testDevice(user.userId, user.deviceId).deviceKeys() });
    }
    const aliceIdentity = testCrossSigningIdentity(alice.userId);
    const bobIdentity = testCrossSigningIdentity(bob.userId);
    await call(alice, "POST", `${V3}/keys/device_signing/upload`, aliceIdentity.upload());
    await call(bob, "POST", `${V3}/keys/device_signing/upload`, bobIdentity.upload());
    // They share no room: only Alice herself (her other devices) is told.
    const { next_batch: from } = await sync(alice);
    const signedMaster = aliceIdentity.userSigning.sign(bobIdentity.keyObject("master"));
    expect(await call(alice, "POST", `${V3}/keys/signatures/upload`, { [bob.userId]: { [bobIdentity.master.publicKey]: signedMaster } })).toEqual({ failures: {} });
    expect((await sync(alice, from)).device_lists).toEqual({ changed: [alice.userId] });
  });
});

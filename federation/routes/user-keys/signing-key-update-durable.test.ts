import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { eventually } from "../../../homeserver/app/testing/loopback-server.js";
import { restartableServer, type RestartableServer } from "../../../homeserver/app/testing/restartable-server.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { testCrossSigningIdentity } from "../../../homeserver/users/e2e-keys/cross-signing/testing/cross-signing-identity.js";

const V3 = "/_matrix/client/v3";

/**
 * m.signing_key_update is queued in the durable EDU outbox with the key change it carries, as device list updates
 * are: a server that is down when a user resets their cross-signing keys still gets them, even if the sending
 * server restarts before it comes back. Without that, the other server's users would keep trusting the old keys.
 */
describe.each(testDrivers())("m.signing_key_update survives the destination's downtime and the sender's restart (%s)", (driver) => {
  let a: RestartableServer;
  let b: RestartableServer;

  beforeAll(async () => {
    [a, b] = await Promise.all([restartableServer(driver), restartableServer(driver)]);
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
  });

  const client = async (server: RestartableServer, user: TestUser, method: "GET" | "POST", url: string, payload?: unknown, query?: Record<string, string>) => {
    const response = await server.running.http.inject({ method, url, headers: bearer(user), payload: payload as object, query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const keysOnB = async (userId: string) =>
    Object.fromEntries((await b.running.ctx.stores.crossSigning.keysOf(b.running.ctx.db, [userId])).map((k) => [k.keyType, JSON.parse(k.keyJson)]));

  it("a key reset while the other server is down reaches it after the sender restarted, and its users see the user's device list changed", async () => {
    const [alice, bob] = await Promise.all([registerTestUser(a.running.http), registerTestUser(b.running.http)]);
    await client(a, alice, "POST", `${V3}/keys/device_signing/upload`, testCrossSigningIdentity(alice.userId).upload());
    const { room_id: roomId } = await client(a, alice, "POST", `${V3}/createRoom`, { preset: "public_chat" });
    await client(b, bob, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {}, { server_name: a.name });
    await eventually(async () => ((await a.running.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(bob.userId) === "join" ? true : undefined), "bob's join on a");
    const { next_batch: since } = await client(b, bob, "GET", `${V3}/sync`, undefined, { timeout: "0" });

    await b.stop();
    const reset = testCrossSigningIdentity(alice.userId);
    const keys = reset.upload();
    const first = await a.running.http.inject({ method: "POST", url: `${V3}/keys/device_signing/upload`, headers: bearer(alice), payload: keys });
    expect(first.statusCode).toBe(401);
    await client(a, alice, "POST", `${V3}/keys/device_signing/upload`, {
      ...keys,
      auth: { type: "m.login.password", identifier: { type: "m.id.user", user: alice.userId }, password: alice.password, session: first.json().session },
    });
    // The sending server restarts before the destination is back: only what is in its database is still owed.
    await a.stop();
    await a.start();
    await b.start();

    const stored = await eventually(async () => {
      const onB = await keysOnB(alice.userId);
      return onB.master?.keys?.[reset.master.keyId] ? onB : undefined;
    }, "alice's new keys on b");
    expect(stored).toEqual({ master: keys.master_key, self_signing: keys.self_signing_key });
    const sync = await client(b, bob, "GET", `${V3}/sync`, undefined, { since, timeout: "0" });
    expect(sync.device_lists?.changed).toContain(alice.userId);
    await eventually(async () => ((await a.running.ctx.stores.federationOutbox.countPending(b.name)) === 0 ? true : undefined), "a's outbox for b emptied");
  });
});

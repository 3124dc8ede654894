import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { requesterFor } from "../../../homeserver/users/testing/requesters.js";
import { testDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";
import { call, federationPath, startPeer, stopPeers, type Peer } from "../testing/peers.js";

const V3 = "/_matrix/client/v3";

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * m.device_list_update between two Myelins sharing a room: A's users' device changes reach B's users' sync as
 * device_lists.changed; B follows A's per-user stream and, when an update's prev_id names one it never saw (or it
 * hears of the user for the first time), asks A's GET /user/devices where the list stands.
 */
describe.each(testDrivers())("m.device_list_update between two servers (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  let alice: TestUser;
  let bob: TestUser;
  let txn = 0;

  const client = (peer: Peer, who: TestUser, method: "GET" | "POST", url: string, payload?: object, query?: Record<string, string>) =>
    peer.app.http.inject({ method, url, headers: bearer(who), payload, query });
  const sync = async (peer: Peer, who: TestUser, since?: string) => {
    const response = await client(peer, who, "GET", `${V3}/sync`, undefined, since ? { since, timeout: "0" } : { timeout: "0" });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { next_batch: string; device_lists?: { changed?: string[]; left?: string[] } };
  };
  /** Waits until `who`'s sync after `since` lists `changed` in device_lists.changed; returns that response's token. */
  const seesChange = (who: TestUser, since: string, changed: string) =>
    eventually(async () => {
      const response = await sync(b, who, since);
      return response.device_lists?.changed?.includes(changed) ? response.next_batch : undefined;
    }, `${changed} in ${who.userId}'s device_lists.changed`);
  const uploadKeys = async (peer: Peer, who: TestUser) => {
    const response = await client(peer, who, "POST", `${V3}/keys/upload`, { device_keys: testDevice(who.userId, who.deviceId).deviceKeys() });
    expect(response.statusCode, response.body).toBe(200);
  };
  const login = async (peer: Peer, who: TestUser): Promise<TestUser> => {
    const response = await peer.app.http.inject({
      method: "POST",
      url: `${V3}/login`,
      payload: { type: "m.login.password", identifier: { type: "m.id.user", user: who.userId }, password: who.password },
    });
    const body = response.json() as { access_token: string; device_id: string };
    return { ...who, accessToken: body.access_token, deviceId: body.device_id };
  };
  const aliceStreamOnA = async () => (await a.app.ctx.deviceFederation.userDevices.forServer(alice.userId)).stream_id;
  const positionOnB = (userId: string) => b.app.ctx.stores.federationOutbox.remoteDeviceListPosition(userId);
  const resyncsOf = (spy: { mock: { calls: unknown[][] } }, userId: string) =>
    spy.mock.calls.filter(([destination, path]) => destination === a.name && path === `/_matrix/federation/v1/user/devices/${encodeURIComponent(userId)}`).length;
  const sendEdu = (content: Record<string, unknown>) =>
    call(a, b, "PUT", federationPath`/_matrix/federation/v1/send/${`dl${++txn}`}`, {
      origin: a.name,
      origin_server_ts: Date.now(),
      pdus: [],
      edus: [{ edu_type: "m.device_list_update", content }],
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver, { federationSender: true }), startPeer(driver, { federationSender: true })]);
    [alice, bob] = await Promise.all([registerTestUser(a.app.http), registerTestUser(b.app.http)]);
    const roomId = await a.app.ctx.rooms.service.createRoom(requesterFor(alice.userId, alice.deviceId), { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(requesterFor(bob.userId, bob.deviceId), roomId, undefined, [a.name]);
    await eventually(async () => ((await a.app.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(bob.userId) === "join" ? true : undefined), "bob's join on a");
  });
  afterAll(() => stopPeers(a, b));

  it("a device added on A shows in device_lists.changed on B for a user who shares a room, and in /keys/changes", async () => {
    const get = vi.spyOn(b.app.ctx.federation.client, "get");
    try {
      const { next_batch: from } = await sync(b, bob);
      await uploadKeys(a, alice);
      const to = await seesChange(bob, from, alice.userId);
      const changes = await client(b, bob, "GET", `${V3}/keys/changes`, undefined, { from, to });
      expect(changes.json()).toEqual({ changed: [alice.userId], left: [] });
      // The first update B hears of alice: it asks A where her list stands.
      await eventually(async () => ((await positionOnB(alice.userId)) === (await aliceStreamOnA()) ? true : undefined), "b's position of alice's list");
      expect(resyncsOf(get, alice.userId)).toBe(1);
    } finally {
      get.mockRestore();
    }
  });

  it("an update that follows the last one B knows is applied without a resync, and so is a deletion", async () => {
    const get = vi.spyOn(b.app.ctx.federation.client, "get");
    try {
      await eventually(async () => ((await positionOnB(alice.userId)) !== undefined ? true : undefined), "b knows alice's list");
      const { next_batch: from } = await sync(b, bob);
      const laptop = await login(a, alice);
      await uploadKeys(a, laptop);
      const next = await seesChange(bob, from, alice.userId);
      await eventually(async () => ((await positionOnB(alice.userId)) === (await aliceStreamOnA()) ? true : undefined), "b follows alice's stream");
      const logout = await client(a, laptop, "POST", `${V3}/logout`, {});
      expect(logout.statusCode).toBe(200);
      await seesChange(bob, next, alice.userId);
      await eventually(async () => ((await positionOnB(alice.userId)) === (await aliceStreamOnA()) ? true : undefined), "b follows the deletion");
      expect(resyncsOf(get, alice.userId)).toBe(0);
      expect((await a.app.ctx.deviceFederation.userDevices.forServer(alice.userId)).devices.map((d) => d.device_id)).toEqual([alice.deviceId]);
    } finally {
      get.mockRestore();
    }
  });

  it("a gap in prev_id triggers a resync through GET /user/devices on the origin", async () => {
    const get = vi.spyOn(b.app.ctx.federation.client, "get");
    try {
      const { next_batch: from } = await sync(b, bob);
      const actual = await aliceStreamOnA();
      expect(await sendEdu({ user_id: alice.userId, device_id: "GHOST", stream_id: actual + 100, prev_id: [actual + 99], deleted: false })).toEqual({
        status: 200,
        json: { pdus: {} },
      });
      await seesChange(bob, from, alice.userId);
      await eventually(async () => (resyncsOf(get, alice.userId) === 1 ? true : undefined), "b asked a for alice's devices");
      // B now stands where A's answer said, not at the claimed stream id.
      await eventually(async () => ((await positionOnB(alice.userId)) === actual ? true : undefined), "b's position after the resync");
    } finally {
      get.mockRestore();
    }
  });

  it("refuses an update about another server's user, and ignores one about a user who shares no room with ours", async () => {
    const get = vi.spyOn(b.app.ctx.federation.client, "get");
    try {
      const carol = await registerTestUser(b.app.http);
      const loner = `@loner:${a.name}`;
      const answers = await Promise.all([
        sendEdu({ user_id: carol.userId, device_id: "FORGED", stream_id: 1, prev_id: [] }),
        sendEdu({ user_id: loner, device_id: "D", stream_id: 1, prev_id: [] }),
        sendEdu({ user_id: alice.userId, device_id: "D", stream_id: "one" }),
      ]);
      for (const answer of answers) expect(answer).toEqual({ status: 200, json: { pdus: {} } });
      expect(await positionOnB(carol.userId)).toBeUndefined();
      expect(await positionOnB(loner)).toBeUndefined();
      expect(resyncsOf(get, loner)).toBe(0);
    } finally {
      get.mockRestore();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { eventually } from "../../../homeserver/app/testing/loopback-server.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { requesterFor } from "../../../homeserver/users/testing/requesters.js";
import { testDevice } from "../../../homeserver/users/e2e-keys/testing/signed-device.js";
import { call, federationPath, startPeer, stopPeers, type Peer } from "../testing/peers.js";

const V3 = "/_matrix/client/v3";
const USER_KEYS_QUERY = "/_matrix/federation/v1/user/keys/query";

/**
 * The remote device list cache between two Myelins sharing a room: B keeps A's users' device lists (filled by a
 * resync through GET /user/devices, kept by the m.device_list_update EDUs that follow), answers /keys/query for
 * them without asking A, even while A is down, and forgets them once no user of B shares a room with them. A's
 * logins and device renames reach B as updates too.
 */
describe.each(testDrivers())("the remote device list cache (%s)", (driver) => {
  let a: Peer | undefined;
  let b: Peer;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let txn = 0;

  const peerA = () => a!;
  const client = (peer: Peer, who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: object, query?: Record<string, string>) =>
    peer.app.http.inject({ method, url, headers: bearer(who), payload, query });
  const ok = async (peer: Peer, who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: object, query?: Record<string, string>) => {
    const response = await client(peer, who, method, url, payload, query);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const sync = async (who: TestUser, since?: string) =>
    (await ok(b, who, "GET", `${V3}/sync`, undefined, since ? { since, timeout: "0" } : { timeout: "0" })) as { next_batch: string; device_lists?: { changed?: string[] } };
  const seesChange = (who: TestUser, since: string, changed: string) =>
    eventually(async () => {
      const response = await sync(who, since);
      return response.device_lists?.changed?.includes(changed) ? response.next_batch : undefined;
    }, `${changed} in ${who.userId}'s device_lists.changed`);
  /** Uploads keys for `who`'s device; returns them. */
  const uploadKeys = async (who: TestUser) => {
    const deviceKeys = testDevice(who.userId, who.deviceId).deviceKeys();
    await ok(peerA(), who, "POST", `${V3}/keys/upload`, { device_keys: deviceKeys });
    return deviceKeys;
  };
  const login = async (who: TestUser): Promise<TestUser> => {
    const body = (await peerA().app.http
      .inject({
        method: "POST",
        url: `${V3}/login`,
        payload: { type: "m.login.password", identifier: { type: "m.id.user", user: who.userId }, password: who.password },
      })
      .then((r) => r.json())) as { access_token: string; device_id: string };
    return { ...who, accessToken: body.access_token, deviceId: body.device_id };
  };
  /** The device ids B holds for `userId` (undefined: not cached), and the key of each. */
  const cachedOnB = async (userId: string) => (await b.app.ctx.stores.remoteDeviceLists.cachedDevices([userId])).get(userId);
  const cachedIds = async (userId: string) => (await cachedOnB(userId))?.map((d) => d.deviceId);
  const keyedIdsOnA = async (userId: string) => (await peerA().app.ctx.deviceFederation.userDevices.forServer(userId)).devices.map((d) => d.device_id);
  const query = (userId: string) => ok(b, bob, "POST", `${V3}/keys/query`, { device_keys: { [userId]: [] } });
  const asked = (spy: { mock: { calls: unknown[][] } }, path: string) => spy.mock.calls.filter(([, calledPath]) => calledPath === path).length;
  const sendEdu = (content: Record<string, unknown>) =>
    call(peerA(), b, "PUT", federationPath`/_matrix/federation/v1/send/${`cache${++txn}`}`, {
      origin: peerA().name,
      origin_server_ts: Date.now(),
      pdus: [],
      edus: [{ edu_type: "m.device_list_update", content }],
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startPeer(driver, { federationSender: true }), startPeer(driver, { federationSender: true })]);
    [alice, bob] = await Promise.all([registerTestUser(a.app.http), registerTestUser(b.app.http)]);
    roomId = await a.app.ctx.rooms.service.createRoom(requesterFor(alice.userId, alice.deviceId), { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(requesterFor(bob.userId, bob.deviceId), roomId, undefined, [a.name]);
    await eventually(async () => ((await peerA().app.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(bob.userId) === "join" ? true : undefined), "bob's join on a");
  });
  afterAll(() => stopPeers(a, b));

  it("the first update B hears of a user resyncs their list into the cache, and /keys/query then answers from it", async () => {
    const post = vi.spyOn(b.app.ctx.federation.client, "post");
    try {
      const { next_batch: from } = await sync(bob);
      const deviceKeys = await uploadKeys(alice);
      await seesChange(bob, from, alice.userId);
      await eventually(async () => ((await cachedIds(alice.userId))?.includes(alice.deviceId) ? true : undefined), "alice's list cached on b");
      const answer = await query(alice.userId);
      expect(answer.failures).toEqual({});
      expect(answer.device_keys[alice.userId][alice.deviceId]).toEqual({ ...deviceKeys, unsigned: {} });
      expect(asked(post, USER_KEYS_QUERY)).toBe(0);
    } finally {
      post.mockRestore();
    }
  });

  it("a login and a rename on A reach B as updates that follow: applied to the cache without a resync, as is a deletion", async () => {
    const get = vi.spyOn(b.app.ctx.federation.client, "get");
    try {
      const { next_batch: from } = await sync(bob);
      // A new device, before it has keys: B's users hear of it, and B holds it (without keys, so not served).
      const laptop = await login(alice);
      const afterLogin = await seesChange(bob, from, alice.userId);
      await eventually(async () => ((await cachedIds(alice.userId))?.includes(laptop.deviceId) ? true : undefined), "the new device cached on b");
      expect((await query(alice.userId)).device_keys[alice.userId][laptop.deviceId]).toBeUndefined();
      await ok(peerA(), laptop, "PUT", `${V3}/devices/${encodeURIComponent(laptop.deviceId)}`, { display_name: "laptop" });
      const afterRename = await seesChange(bob, afterLogin, alice.userId);
      await uploadKeys(laptop);
      const afterKeys = await seesChange(bob, afterRename, alice.userId);
      await eventually(async () => ((await cachedOnB(alice.userId))?.find((d) => d.deviceId === laptop.deviceId)?.keyJson ? true : undefined), "the laptop's keys cached");
      expect(Object.keys((await query(alice.userId)).device_keys[alice.userId]).sort()).toEqual([alice.deviceId, laptop.deviceId].sort());
      await ok(peerA(), laptop, "POST", `${V3}/logout`, {});
      await seesChange(bob, afterKeys, alice.userId);
      await eventually(async () => ((await cachedIds(alice.userId))?.includes(laptop.deviceId) === false ? true : undefined), "the deletion applied on b");
      expect(Object.keys((await query(alice.userId)).device_keys[alice.userId])).toEqual([alice.deviceId]);
      expect(get).not.toHaveBeenCalled();
    } finally {
      get.mockRestore();
    }
  });

  it("an update after a gap in prev_id forgets the cached list until a resync through GET /user/devices replaces it", async () => {
    const get = vi.spyOn(b.app.ctx.federation.client, "get");
    try {
      const { next_batch: from } = await sync(bob);
      const actual = (await peerA().app.ctx.deviceFederation.userDevices.forServer(alice.userId)).stream_id;
      const ghost = testDevice(alice.userId, "GHOST").deviceKeys();
      expect((await sendEdu({ user_id: alice.userId, device_id: "GHOST", stream_id: actual + 100, prev_id: [actual + 99], deleted: false, keys: ghost })).status).toBe(200);
      await seesChange(bob, from, alice.userId);
      await eventually(async () => (get.mock.calls.length === 1 ? true : undefined), "b asked a for alice's devices");
      // The list is A's, not the update's: no GHOST.
      await eventually(async () => ((await cachedIds(alice.userId))?.join() === (await keyedIdsOnA(alice.userId)).join() ? true : undefined), "the resynced list");
      expect(await b.app.ctx.stores.federationOutbox.remoteDeviceListPosition(alice.userId)).toBe(actual);
      expect((await query(alice.userId)).device_keys[alice.userId].GHOST).toBeUndefined();
    } finally {
      get.mockRestore();
    }
  });

  it("a query of someone B shares a room with but never heard an update of is answered by A, and their list is cached for the next", async () => {
    const carol = await registerTestUser(peerA().app.http);
    const carolKeys = await uploadKeys(carol);
    // She uploaded her keys before sharing a room with anyone on B: B has heard nothing of her.
    await ok(peerA(), carol, "POST", `${V3}/join/${encodeURIComponent(roomId)}`, {});
    await eventually(async () => ((await b.app.ctx.rooms.persister.roomMemory(roomId))?.membershipOf(carol.userId) === "join" ? true : undefined), "carol's join on b");
    expect(await cachedOnB(carol.userId)).toBeUndefined();
    const post = vi.spyOn(b.app.ctx.federation.client, "post");
    try {
      expect((await query(carol.userId)).device_keys[carol.userId][carol.deviceId]).toMatchObject(carolKeys);
      expect(asked(post, USER_KEYS_QUERY)).toBe(1);
      await eventually(async () => ((await cachedIds(carol.userId))?.includes(carol.deviceId) ? true : undefined), "carol's list cached on b");
      expect((await query(carol.userId)).device_keys[carol.userId][carol.deviceId]).toEqual({ ...carolKeys, unsigned: {} });
      expect(asked(post, USER_KEYS_QUERY)).toBe(1);
    } finally {
      post.mockRestore();
    }
  });

  it("answers from the cache while A is down, asks A's server for a user it does not cache, and forgets a user once no room is shared", async () => {
    const stranger = `@stranger:${peerA().name}`;
    await peerA().app.dispose();
    a = undefined;
    const answer = await query(alice.userId);
    expect(answer.failures).toEqual({});
    expect(Object.keys(answer.device_keys[alice.userId])).toEqual([alice.deviceId]);
    // Someone B caches nothing of goes to their server, which is down.
    const failing = await ok(b, bob, "POST", `${V3}/keys/query`, { device_keys: { [stranger]: [] }, timeout: 2000 });
    expect(Object.keys(failing.failures)).toHaveLength(1);
    await ok(b, bob, "POST", `${V3}/rooms/${encodeURIComponent(roomId)}/leave`, {});
    await b.app.ctx.deviceFederation.remoteDeviceLists.sweep();
    expect(await cachedOnB(alice.userId)).toBeUndefined();
    expect(await b.app.ctx.stores.federationOutbox.remoteDeviceListPosition(alice.userId)).toBeUndefined();
  });
});

import { describe, expect, it, vi } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { parseSyncToken } from "../streams/sync-token.js";
import type { Requester } from "../users/requester.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import { syncFilterOf } from "../core/filters.js";
import type { SyncOptions } from "./sync-service.js";
import { inlineFilter, newUser, SyncHarness, timelineIds } from "./testing/sync-fixtures.js";

const LAZY = inlineFilter({ room: { state: { lazy_load_members: true } } });

/** The same response with every event's `age` dropped: it depends on when the response was built. */
function withoutAge(response: SyncResponse): unknown {
  return JSON.parse(JSON.stringify(response), (key, value) => (key === "age" ? undefined : value));
}

describe.each(testDrivers())("shared sync responses on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  // Presence left alone, so that the users' syncs do not move the presence stream between their tokens.
  const sync = (user: Requester, options: SyncOptions = {}) => h.sync(user, { setPresence: "offline", ...options });

  async function roomWith(...members: Requester[]) {
    const [creator, ...others] = members;
    const roomId = await h.createRoom(creator, { preset: "public_chat" });
    for (const member of others) await app.ctx.rooms.service.join(member, roomId);
    return roomId;
  }

  /** Each user's token, taken once nothing is happening: the same position for all of them. */
  async function settledTokens(users: Requester[], filter?: string): Promise<string[]> {
    const tokens: string[] = [];
    for (const user of users) tokens.push((await sync(user, { filter })).next_batch);
    expect(new Set(tokens).size).toBe(1);
    return tokens;
  }

  it("hands members in the same situation the response built for the first, as their own build would be", async () => {
    const [alice, bob, carol] = [newUser("alice"), newUser("bob"), newUser("carol")];
    const roomId = await roomWith(alice, bob, carol);
    const [since] = await settledTokens([bob, carol]);
    const sent = await h.send(alice, roomId, "hello");

    const forBob = await sync(bob, { since });
    const forCarol = await sync(carol, { since });
    expect(timelineIds(forBob, roomId)).toEqual([sent]);
    expectShared(forCarol, forBob);
    // What carol would have got from a build of her own.
    const own = await app.ctx.sync.builder.build(
      { userId: carol.userId, deviceId: carol.deviceId, filter: syncFilterOf(), initial: false, fullState: false, useStateAfter: false, now: Date.now() },
      parseSyncToken(since),
      parseSyncToken(forCarol.next_batch)!,
    );
    // The device's key counts are added to every response after its build or hand-out (SyncService.sync).
    const { device_one_time_keys_count: _counts, device_unused_fallback_key_types: _fallback, ...shared } = forCarol;
    expect(forCarol.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(withoutAge(own)).toEqual(withoutAge(shared));
  });

  it("members syncing the same window at once wait for one build of it instead of building it side by side", async () => {
    const [alice, bob, carol, dave] = [newUser("alice"), newUser("bob"), newUser("carol"), newUser("dave")];
    const roomId = await roomWith(alice, bob, carol, dave);
    const [since] = await settledTokens([bob, carol, dave]);
    const sent = await h.send(alice, roomId, "hello");
    const builds = vi.spyOn(app.ctx.sync.builder, "build");
    try {
      const [forBob, forCarol, forDave] = await Promise.all([sync(bob, { since }), sync(carol, { since }), sync(dave, { since })]);
      expect(builds).toHaveBeenCalledTimes(1);
      expect(timelineIds(forBob, roomId)).toEqual([sent]);
      expectShared(forCarol, forBob);
      expectShared(forDave, forBob);
    } finally {
      builds.mockRestore();
    }
  });

  it("members who waited for a build they cannot share (the sender's) build their own, correctly", async () => {
    const [alice, bob, carol] = [newUser("alice"), newUser("bob"), newUser("carol")];
    const roomId = await roomWith(alice, bob, carol);
    const [since] = await settledTokens([alice, bob, carol]);
    const sent = await h.send(alice, roomId, "mine", "txn-shared-claim");
    // alice runs first and claims the window; her response carries her transaction_id and is not shared.
    const [forAlice, forBob, forCarol] = await Promise.all([sync(alice, { since }), sync(bob, { since }), sync(carol, { since })]);
    for (const response of [forAlice, forBob, forCarol]) expect(timelineIds(response, roomId)).toEqual([sent]);
    expect(forAlice.rooms!.join![roomId].timeline.events[0].unsigned).toMatchObject({ transaction_id: "txn-shared-claim" });
    for (const response of [forBob, forCarol]) {
      expectNotShared(response, forAlice);
      expect(response.rooms!.join![roomId].timeline.events[0].unsigned).not.toHaveProperty("transaction_id");
    }
  });

  it("does not hand the sender's own response on: their event carries its transaction_id", async () => {
    const [alice, bob] = [newUser("alice"), newUser("bob")];
    const roomId = await roomWith(alice, bob);
    const [since] = await settledTokens([alice, bob]);
    await h.send(alice, roomId, "mine", "txn-shared-1");

    const forAlice = await sync(alice, { since });
    const forBob = await sync(bob, { since });
    expectNotShared(forBob, forAlice);
    expect(forAlice.rooms!.join![roomId].timeline.events[0].unsigned).toMatchObject({ transaction_id: "txn-shared-1" });
    expect(forBob.rooms!.join![roomId].timeline.events[0].unsigned).not.toHaveProperty("transaction_id");
    // And the sender is not handed a response first built for someone else.
    const forBob2 = await sync(bob, { since });
    const forAlice2 = await sync(alice, { since });
    expectNotShared(forAlice2, forBob2);
    expect(forAlice2.rooms!.join![roomId].timeline.events[0].unsigned).toMatchObject({ transaction_id: "txn-shared-1" });
  });

  /** `who` ignores `ignored` (m.ignored_user_list), as a client sets it. */
  const ignore = (who: Requester, ...ignored: Requester[]) =>
    app.ctx.users.accountData.setFromClient(who.userId, null, "m.ignored_user_list", { ignored_users: Object.fromEntries(ignored.map((u) => [u.userId, {}])) });

  it("does not hand a response on to a member who ignores one of its senders", async () => {
    const [alice, bob, carol] = [newUser("alice"), newUser("bob"), newUser("carol")];
    const roomId = await roomWith(alice, bob, carol);
    await ignore(bob, alice);
    const [since] = await settledTokens([carol, bob]);
    const sent = await h.send(alice, roomId, "hello");

    const forCarol = await sync(carol, { since });
    const forBob = await sync(bob, { since });
    expect(timelineIds(forCarol, roomId)).toEqual([sent]);
    expect(timelineIds(forBob, roomId)).toEqual([]);
  });

  it("does not keep the response of a member who ignores someone: it may lack events that others are sent", async () => {
    const [alice, bob, carol, dave] = [newUser("alice"), newUser("bob"), newUser("carol"), newUser("dave")];
    const roomId = await roomWith(alice, bob, carol, dave);
    await ignore(bob, alice);
    const [since] = await settledTokens([bob, carol]);
    const fromDave = await h.send(dave, roomId, "from dave");
    const fromAlice = await h.send(alice, roomId, "from alice");

    const forBob = await sync(bob, { since });
    const forCarol = await sync(carol, { since });
    expect(timelineIds(forBob, roomId)).toEqual([fromDave]);
    expect(timelineIds(forCarol, roomId)).toEqual([fromDave, fromAlice]);
  });

  it("builds its own response for a member whose other room moved in the same window", async () => {
    const [alice, bob, dave] = [newUser("alice"), newUser("bob"), newUser("dave")];
    const roomId = await roomWith(alice, bob, dave);
    const other = await roomWith(dave, alice);
    const [since] = await settledTokens([bob, dave]);
    await h.send(alice, other, "elsewhere");
    await h.send(alice, roomId, "here");

    const forBob = await sync(bob, { since });
    const forDave = await sync(dave, { since });
    expectNotShared(forDave, forBob);
    expect(Object.keys(forDave.rooms!.join!).sort()).toEqual([roomId, other].sort());
    expect(Object.keys(forBob.rooms!.join!)).toEqual([roomId]);
  });

  it("builds its own response for a member who joined within the window, even with member events filtered out", async () => {
    const [alice, bob, erin] = [newUser("alice"), newUser("bob"), newUser("erin")];
    const roomId = await roomWith(alice, bob);
    await h.createRoom(erin); // erin has a room of her own, so her token is not her first
    // The filter hides erin's join from the timeline, so bob's response holds nothing but the message.
    const messagesOnly = inlineFilter({ room: { timeline: { types: ["m.room.message"] } } });
    const [since] = await settledTokens([bob, erin], messagesOnly);
    await app.ctx.rooms.service.join(erin, roomId);
    await h.send(alice, roomId, "welcome");

    const forBob = await sync(bob, { since, filter: messagesOnly });
    const forErin = await sync(erin, { since, filter: messagesOnly });
    expect(forBob.rooms!.join![roomId].state!.events).toEqual([]);
    expectNotShared(forErin, forBob);
    // Newly joined: the room's state comes with it.
    expect(forErin.rooms!.join![roomId].state!.events.length).toBeGreaterThan(0);
  });

  it("with lazy-loading, shares only with devices that already hold the sender's membership", async () => {
    const [alice, bob, carol, erin] = [newUser("alice"), newUser("bob"), newUser("carol"), newUser("erin")];
    const bobElsewhere: Requester = { ...bob, deviceId: "ELSEWHERE" };
    const roomId = await roomWith(alice, bob, carol, erin);
    await h.send(erin, roomId, "first words");
    // bob's and carol's devices are sent erin's membership with their initial syncs; bob's other device is
    // not (an initial sync without lazy-loading records nothing), though its token is the same.
    const [since] = await settledTokens([bob, carol], LAZY);
    expect((await sync(bobElsewhere, { filter: inlineFilter({}) })).next_batch).toBe(since);

    await h.send(erin, roomId, "more words");
    const forBob = await sync(bob, { since, filter: LAZY });
    const forCarol = await sync(carol, { since, filter: LAZY });
    expect(forBob.rooms!.join![roomId].state!.events).toEqual([]);
    expectShared(forCarol, forBob);
    const elsewhere = await sync(bobElsewhere, { since, filter: LAZY });
    expectNotShared(elsewhere, forBob);
    expect(elsewhere.rooms!.join![roomId].state!.events.map((e) => e.state_key)).toEqual([erin.userId]);
  });

  it("does not share between different filters", async () => {
    const [alice, bob, carol] = [newUser("alice"), newUser("bob"), newUser("carol")];
    const roomId = await roomWith(alice, bob, carol);
    const [since] = await settledTokens([bob, carol]);
    await h.send(alice, roomId, "hello");
    const forBob = await sync(bob, { since });
    const forCarol = await sync(carol, { since, filter: inlineFilter({ room: { timeline: { limit: 5 } } }) });
    expectNotShared(forCarol, forBob);
    expect(timelineIds(forCarol, roomId)).toEqual(timelineIds(forBob, roomId));
  });

  it("shares between members whose tokens differ only in streams that hold nothing for them (presence moved between their syncs)", async () => {
    const [alice, bob, carol] = [newUser("alice"), newUser("bob"), newUser("carol")];
    const roomId = await roomWith(alice, bob, carol);
    // Someone they share no room with comes online between their syncs: their tokens differ in presence.
    const sinceBob = (await sync(bob)).next_batch;
    await app.ctx.edus.presence.syncing(newUser("zed").userId, "online");
    const sinceCarol = (await sync(carol)).next_batch;
    expect(sinceCarol).not.toBe(sinceBob);
    const sent = await h.send(alice, roomId, "hello");
    const forBob = await sync(bob, { since: sinceBob });
    const forCarol = await sync(carol, { since: sinceCarol });
    expect(timelineIds(forCarol, roomId)).toEqual([sent]);
    expectShared(forCarol, forBob);
  });

  it("shares between members who uploaded filters of the same content (as every Element user does)", async () => {
    const [alice, bob, carol] = [newUser("alice"), newUser("bob"), newUser("carol")];
    const roomId = await roomWith(alice, bob, carol);
    const filter = { room: { timeline: { limit: 20 } }, presence: { not_types: ["*"] } };
    const [bobFilter, carolFilter] = await Promise.all([bob, carol].map((u) => app.ctx.users.filters.create(u.userId, filter)));
    const [since] = await settledTokens([bob, carol]);
    await h.send(alice, roomId, "hello");
    const forBob = await sync(bob, { since, filter: bobFilter });
    const forCarol = await sync(carol, { since, filter: carolFilter });
    expectShared(forCarol, forBob);
  });

  it("shares a window in which typing moved elsewhere, but not with a member who sees that typing", async () => {
    const [alice, bob, carol, dave, zed] = [newUser("alice"), newUser("bob"), newUser("carol"), newUser("dave"), newUser("zed")];
    const roomId = await roomWith(alice, bob, carol, dave);
    const elsewhere = await roomWith(zed, dave);
    const [since] = await settledTokens([bob, carol, dave]);
    await app.ctx.edus.typing.setTyping(zed, elsewhere, zed.userId, true, 30_000);
    await h.send(alice, roomId, "hello");

    const forBob = await sync(bob, { since });
    expect(parseSyncToken(forBob.next_batch)!.typing).toBeGreaterThan(parseSyncToken(since)!.typing);
    const forCarol = await sync(carol, { since });
    expectShared(forCarol, forBob);
    const forDave = await sync(dave, { since });
    expectNotShared(forDave, forBob);
    expect(forDave.rooms!.join![elsewhere].ephemeral.events.map((e) => e.type)).toEqual(["m.typing"]);
    expect(timelineIds(forDave, roomId)).toEqual(timelineIds(forBob, roomId));
  });
});

/**
 * A shared response is the kept one with the member's own unread counts laid over it: the timeline section is
 * the very object the first member got.
 */
function sharedTimeline(response: SyncResponse, of: SyncResponse): unknown {
  const [roomId] = Object.keys(of.rooms?.join ?? {});
  return response.rooms?.join?.[roomId]?.timeline;
}
function expectShared(response: SyncResponse, of: SyncResponse): void {
  expect(sharedTimeline(response, of)).toBeDefined();
  expect(sharedTimeline(response, of)).toBe(sharedTimeline(of, of));
}
function expectNotShared(response: SyncResponse, of: SyncResponse): void {
  expect(sharedTimeline(response, of)).not.toBe(sharedTimeline(of, of));
}

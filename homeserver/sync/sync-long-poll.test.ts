import { describe, expect, it, vi } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { inlineFilter, newUser, SyncHarness, timelineIds } from "./testing/sync-fixtures.js";
import type { SyncScope } from "./sync-context.js";

describe.each(testDrivers())("sync long-poll waits on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  /**
   * Alice in a room, her first sync, a filter whose timeline leaves out one event type, and `noise()`, an event
   * of that type in her room: it wakes her long-poll, whose build then finds nothing to send.
   */
  async function roomWithNoise() {
    const alice = newUser("alice");
    const wanted = await h.createRoom(alice);
    const start = await h.sync(alice);
    const filter = inlineFilter({ room: { timeline: { not_types: ["org.example.noise"] } } });
    const noise = () => h.ctx.rooms.service.sendMessage(alice, wanted, "org.example.noise", { n: 1 }, `noise-${Math.random()}`);
    return { alice, wanted, start, filter, noise };
  }

  /** Spies on the builder; `after` runs when a real build has returned, before its caller sees the response. */
  function afterEachBuild(after: (scope: SyncScope, call: number) => Promise<unknown> | undefined) {
    const builder = app.ctx.sync.builder;
    const build = builder.build.bind(builder);
    const builds = vi.spyOn(builder, "build").mockImplementation(async (...args) => {
      const response = await build(...args);
      await after(args[0], builds.mock.calls.length);
      return response;
    });
    return builds;
  }

  it("a long-poll returns as soon as a relevant event commits, and an empty response when it times out", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const start = await h.sync(alice);
    const began = Date.now();
    const empty = await h.sync(alice, { since: start.next_batch, timeoutMs: 150 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(140);
    expect(empty.rooms).toBeUndefined();
    expect(empty.next_batch).toBe(start.next_batch);

    const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    const eventId = await h.send(alice, roomId, "wake up");
    const woken = await polling;
    expect(timelineIds(woken, roomId)).toEqual([eventId]);
  });

  it("a long-poll with the newest token builds nothing until something is published, then answers it", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const start = await h.sync(alice);
    const builds = vi.spyOn(app.ctx.sync.builder, "build");
    try {
      const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 50));
      expect(builds).not.toHaveBeenCalled();
      const eventId = await h.send(alice, roomId, "first news");
      expect(timelineIds(await polling, roomId)).toEqual([eventId]);
      expect(builds).toHaveBeenCalledTimes(1);
    } finally {
      builds.mockRestore();
    }
  });

  it("a long-poll whose filter leaves out presence and typing is not woken by them, one that keeps them is", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const roomId = await h.createRoom(alice);
    await h.ctx.rooms.service.join(bob, roomId);
    const quiet = inlineFilter({ presence: { types: [] }, room: { ephemeral: { not_types: ["m.typing"] } } });
    const start = await h.sync(alice, { filter: quiet, setPresence: "offline" });
    const builds = vi.spyOn(app.ctx.sync.builder, "build");
    try {
      const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000, filter: quiet, setPresence: "offline" });
      const listening = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000, setPresence: "offline" });
      await new Promise((r) => setTimeout(r, 50));
      await h.ctx.edus.presence.setFromClient(bob, bob.userId, "online", "here");
      await h.ctx.edus.typing.setTyping(bob, roomId, bob.userId, true, 10_000);
      const heard = await listening;
      expect((heard.presence?.events ?? []).map((e) => (e as { sender?: string }).sender)).toContain(bob.userId);
      await new Promise((r) => setTimeout(r, 50));
      const quietBuilds = builds.mock.calls.filter(([scope]) => scope.filter.presence.types?.length === 0).length;
      expect(quietBuilds).toBe(0);
      const eventId = await h.send(bob, roomId, "news");
      const woken = await polling;
      expect(timelineIds(woken, roomId)).toEqual([eventId]);
      expect(woken.presence?.events ?? []).toEqual([]);
      expect(woken.rooms!.join![roomId].ephemeral?.events ?? []).toEqual([]);
    } finally {
      builds.mockRestore();
    }
  });

  it("a long-poll ignores events it would filter out and keeps waiting", async () => {
    const alice = newUser("alice");
    const wanted = await h.createRoom(alice);
    const ignored = await h.createRoom(alice);
    const start = await h.sync(alice);
    const filter = inlineFilter({ room: { not_rooms: [ignored] } });
    const builds = vi.spyOn(app.ctx.sync.builder, "build");
    try {
      const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000, filter });
      await h.send(alice, ignored, "noise");
      await new Promise((r) => setTimeout(r, 50));
      // Not even woken: it waits only on the rooms its filter lets through.
      expect(builds).not.toHaveBeenCalled();
      const eventId = await h.send(alice, wanted, "signal");
      const woken = await polling;
      expect(Object.keys(woken.rooms!.join!)).toEqual([wanted]);
      expect(timelineIds(woken, wanted)).toEqual([eventId]);
      expect(builds).toHaveBeenCalledTimes(1);
    } finally {
      builds.mockRestore();
    }
  });

  it("a long-poll limited to some rooms is still woken by presence from a room its filter leaves out", async () => {
    const [alice, bob] = [newUser("alice"), newUser("bob")];
    const wanted = await h.createRoom(alice);
    const shared = await h.createRoom(alice);
    await h.ctx.rooms.service.join(bob, shared);
    const filter = inlineFilter({ room: { rooms: [wanted] } });
    const start = await h.sync(alice, { filter, setPresence: "offline" });
    const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000, filter, setPresence: "offline" });
    await new Promise((r) => setTimeout(r, 50));
    await h.ctx.edus.presence.setFromClient(bob, bob.userId, "online", "in the other room");
    const woken = await polling;
    expect((woken.presence?.events ?? []).map((e) => (e as { sender?: string }).sender)).toContain(bob.userId);
  });

  it("a woken long-poll that found nothing waits again from its build, and a commit during that build is not missed", async () => {
    const { alice, wanted, start, filter, noise } = await roomWithNoise();
    const waits = vi.spyOn(app.ctx.notifier, "prepareWait");
    let signal: Promise<string> | undefined;
    // The first build (woken by the noise) finds nothing; a wanted event commits before it returns.
    const builds = afterEachBuild((_scope, call) => (call === 1 ? (signal = h.send(alice, wanted, "during the build")) : undefined));
    try {
      const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000, filter });
      await new Promise((r) => setTimeout(r, 50));
      await noise();
      const woken = await polling;
      expect(timelineIds(woken, wanted)).toEqual([await signal]);
      // No new wait between the wake and its build; after the empty build, one more, which saw that the
      // positions had moved and built again at once instead of waiting.
      expect(waits).toHaveBeenCalledTimes(2);
      expect(builds).toHaveBeenCalledTimes(2);
    } finally {
      builds.mockRestore();
      waits.mockRestore();
    }
  });

  it("a long-poll does not rebuild for traffic in rooms it is not in, even when it comes during every build", async () => {
    const bob = newUser("bob");
    const elsewhere = await h.createRoom(bob);
    const { alice, wanted, start, filter, noise } = await roomWithNoise();
    // Every build of alice's is followed by an event in a room she is not in: the events stream always moves.
    const builds = afterEachBuild((scope) => (scope.userId === alice.userId ? h.send(bob, elsewhere, "unrelated") : undefined));
    try {
      const polling = h.sync(alice, { since: start.next_batch, timeoutMs: 20_000, filter });
      await new Promise((r) => setTimeout(r, 50));
      await noise();
      await new Promise((r) => setTimeout(r, 200));
      const eventId = await h.send(alice, wanted, "signal");
      expect(timelineIds(await polling, wanted)).toEqual([eventId]);
      // Woken by the noise (1), once more because the positions had moved since (2), then the signal (3).
      expect(builds.mock.calls.filter(([scope]) => scope.userId === alice.userId)).toHaveLength(3);
    } finally {
      builds.mockRestore();
    }
  });
});

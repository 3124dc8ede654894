import { describe, expect, it } from "vitest";
import { silentLogger } from "../../core/logger.js";
import type { PusherRow } from "../../storage/stores/pushers-store.js";
import { PusherLoop, type PusherLoopDeps } from "./pusher-loop.js";

/** A lookup the test answers when it chooses: the loop stops while the lookup is on its way. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const row = { id: 7, userId: "@u:test.local" } as PusherRow;

/** The store calls a worker makes once woken: any of them means a stopped loop still runs a pusher. */
function fakeDeps(lookups: { forUser: () => Promise<PusherRow[]>; ofRoomMembers: Promise<Array<{ id: number; userId: string }>>; allIds: Promise<Array<{ id: number; userId: string }>> }) {
  const claims: number[] = [];
  const deps = {
    store: {
      allIds: () => lookups.allIds,
      ofRoomMembers: () => lookups.ofRoomMembers,
      forUser: lookups.forUser,
      releaseAll: async () => {},
      claimMany: async (ids: number[]) => {
        claims.push(...ids);
        return new Map();
      },
      byId: async () => row,
      advanceMany: async () => new Set(),
      markFailing: async () => true,
      deleteById: async () => {},
      pendingMany: async () => [],
    },
    contexts: {},
    badge: {},
    gateway: {},
    live: {},
    config: () => ({ retry_initial_ms: 10, retry_max_ms: 10 }),
    clock: { now: () => Date.now() },
    position: () => 0,
    logger: silentLogger,
  } as unknown as PusherLoopDeps;
  return { deps, claims };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("a stopped pusher loop", () => {
  it("starts no pusher whose lookup answers after the stop (a pusher set, a room's new events, the start-up scan)", async () => {
    const wakes = ["pusherSet", "roomChanged", "start"] as const;
    const outcomes: Array<{ wake: string; claims: number[] }> = [];
    for (const wake of wakes) {
      // The first lookup (making the user one with pushers, so that a room's events look them up) answers at
      // once with no pusher; every later one waits for the test.
      const later = deferred<PusherRow[]>();
      let lookups = 0;
      const forUser = () => (++lookups === 1 ? Promise.resolve([]) : later.promise);
      const ofRoomMembers = deferred<Array<{ id: number; userId: string }>>();
      const allIds = deferred<Array<{ id: number; userId: string }>>();
      const { deps, claims } = fakeDeps({ forUser, ofRoomMembers: ofRoomMembers.promise, allIds: allIds.promise });
      const loop = new PusherLoop(deps);
      loop.pusherSet(row.userId);
      await settle();
      const started = wake === "start" ? loop.start() : undefined;
      if (wake === "pusherSet") loop.pusherSet(row.userId);
      if (wake === "roomChanged") loop.roomChanged("!r:test.local");
      await settle();
      await loop.stop();
      // The lookups answer only now, after the loop has stopped.
      later.resolve([row]);
      ofRoomMembers.resolve([row]);
      allIds.resolve([row]);
      await started;
      await settle();
      outcomes.push({ wake, claims });
    }
    expect(outcomes).toEqual(wakes.map((wake) => ({ wake, claims: [] })));
  });
});

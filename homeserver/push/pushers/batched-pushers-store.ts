import type { PendingNotification, PushersStore, PusherRow } from "../../storage/stores/pushers-store.js";
import { loader } from "./batch-loader.js";
import type { PusherWorkerDeps } from "./pusher-worker.js";

/**
 * The pusher workers' per-pusher store steps, each made with the other workers' same step in one statement. A
 * message into a big room wakes every member's pusher at once, and each would claim, read what is pending and
 * move its cursor on its own: three statements per notification, two of them commits, which cost more than the
 * gateway requests themselves. Calls made while the event loop runs one turn go together (setImmediate); each
 * caller still gets its own row back, so the workers keep their one-pusher-at-a-time logic.
 */
export function batchedPushersStore(store: Pick<PushersStore, "claimMany" | "advanceMany" | "pendingMany" | "markFailing" | "deleteById" | "byId">): PusherWorkerDeps["store"] {
  const claims = loader<{ id: number; owner: string; now: number; until: number }, PusherRow | undefined>(async (calls) => {
    const results = new Map<object, PusherRow | undefined>();
    for (const group of groupBy(calls, (c) => c.owner)) {
      const { owner } = group[0];
      const now = Math.max(...group.map((c) => c.now));
      const until = Math.max(...group.map((c) => c.until));
      const claimed = await store.claimMany([...new Set(group.map((c) => c.id))], owner, now, until);
      for (const call of group) results.set(call, claimed.get(call.id));
    }
    return calls.map((c) => results.get(c));
  });

  const advances = loader<{ id: number; owner: string; pos: number; successTs: number | null }, boolean>(async (calls) => {
    const results = new Map<object, boolean>();
    for (const group of groupBy(calls, (c) => c.owner)) {
      // One worker per pusher means one move per pusher; should two arrive, the further one is written.
      const furthest = new Map<number, { id: number; pos: number; successTs: number | null }>();
      for (const { id, pos, successTs } of group) {
        const seen = furthest.get(id);
        if (!seen || pos > seen.pos) furthest.set(id, { id, pos, successTs });
      }
      const moved = await store.advanceMany([...furthest.values()], group[0].owner);
      for (const call of group) results.set(call, moved.has(call.id));
    }
    return calls.map((c) => results.get(c) ?? false);
  });

  const pendings = loader<{ userId: string; after: number; upTo: number; limit: number }, PendingNotification[]>(async (calls) => {
    const results = new Map<object, PendingNotification[]>();
    for (const group of groupBy(calls, (c) => `${c.upTo}:${c.limit}`)) {
      const lists = await store.pendingMany(group, group[0].upTo, group[0].limit);
      group.forEach((call, i) => results.set(call, lists[i]));
    }
    return calls.map((c) => results.get(c) ?? []);
  });

  return {
    claim: (id, owner, now, until) => claims.load({ id, owner, now, until }),
    advance: (id, owner, pos, successTs) => advances.load({ id, owner, pos, successTs }),
    pending: (userId, after, upTo, limit) => pendings.load({ userId, after, upTo, limit }),
    markFailing: (id, owner, since) => store.markFailing(id, owner, since),
    deleteById: (id) => store.deleteById(id),
    byId: (id) => store.byId(id),
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(item);
  }
  return [...groups.values()];
}

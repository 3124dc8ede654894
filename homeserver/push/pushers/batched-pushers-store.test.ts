import { describe, expect, it } from "vitest";
import type { PendingNotification, PusherRow } from "../../storage/stores/pushers-store.js";
import { loader } from "./batch-loader.js";
import { batchedPushersStore } from "./batched-pushers-store.js";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const rowOf = (id: number) => ({ id, userId: `@u${id}:test.local`, lastStreamPos: 0 }) as PusherRow;

/** A store whose *Many calls are recorded, and answer only for the ids it knows. */
function recordingStore(known: Set<number>) {
  const calls = { claimMany: [] as number[][], advanceMany: [] as Array<Array<{ id: number; pos: number }>>, pendingMany: [] as Array<{ cursors: string[]; upTo: number }> };
  const store = {
    claimMany: async (ids: readonly number[]) => {
      calls.claimMany.push([...ids]);
      return new Map(ids.filter((id) => known.has(id)).map((id) => [id, rowOf(id)]));
    },
    advanceMany: async (moves: ReadonlyArray<{ id: number; pos: number }>) => {
      calls.advanceMany.push(moves.map(({ id, pos }) => ({ id, pos })));
      return new Set(moves.map((m) => m.id).filter((id) => known.has(id)));
    },
    pendingMany: async (cursors: ReadonlyArray<{ userId: string; after: number }>, upTo: number) => {
      calls.pendingMany.push({ cursors: cursors.map((c) => `${c.userId}>${c.after}`), upTo });
      return cursors.map((c) => [{ streamPos: c.after + 1, roomId: "!r:test.local", eventId: `$for-${c.userId}`, highlight: false, actions: "[]" }] as PendingNotification[]);
    },
    markFailing: async () => true,
    deleteById: async () => {},
    byId: async (id: number) => (known.has(id) ? rowOf(id) : undefined),
  };
  return { store, calls };
}

describe("the pusher workers' shared statements", () => {
  it("claims made in one turn are one statement, and each caller gets its own pusher back", async () => {
    const { store, calls } = recordingStore(new Set([1, 2, 3]));
    const batched = batchedPushersStore(store);
    const claimed = await Promise.all([1, 2, 3, 4].map((id) => batched.claim(id, "me", 1_000, 61_000)));
    expect(calls.claimMany).toEqual([[1, 2, 3, 4]]);
    expect(claimed.map((row) => row?.id)).toEqual([1, 2, 3, undefined]);
  });

  it("moves each cursor it is given and reports which rows moved; two moves of one pusher write the further one", async () => {
    const { store, calls } = recordingStore(new Set([1, 2]));
    const batched = batchedPushersStore(store);
    const moved = await Promise.all([
      batched.advance(1, "me", 5, 10),
      batched.advance(2, "me", 6, null),
      batched.advance(9, "me", 7, 10),
      batched.advance(1, "me", 8, 10),
    ]);
    expect(calls.advanceMany).toEqual([
      [
        { id: 1, pos: 8 },
        { id: 2, pos: 6 },
        { id: 9, pos: 7 },
      ],
    ]);
    expect(moved).toEqual([true, true, false, true]);
  });

  it("reads pending notifications together for cursors read up to the same position, apart for others", async () => {
    const { store, calls } = recordingStore(new Set());
    const batched = batchedPushersStore(store);
    const lists = await Promise.all([
      batched.pending("@a:test.local", 3, 50, 100),
      batched.pending("@b:test.local", 4, 50, 100),
      batched.pending("@c:test.local", 5, 51, 100),
    ]);
    expect(calls.pendingMany).toEqual([
      { cursors: ["@a:test.local>3", "@b:test.local>4"], upTo: 50 },
      { cursors: ["@c:test.local>5"], upTo: 51 },
    ]);
    expect(lists.map((list) => list[0].eventId)).toEqual(["$for-@a:test.local", "$for-@b:test.local", "$for-@c:test.local"]);
  });

  it("runs a batch only once the one before it has finished: what arrives meanwhile goes together", async () => {
    const batches: number[][] = [];
    const held = deferred<void>();
    const load = loader<{ n: number }, number>(async (calls) => {
      batches.push(calls.map((c) => c.n));
      if (batches.length === 1) await held.promise;
      return calls.map((c) => c.n * 10);
    });
    const first = load.load({ n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    // Arriving in different turns while the first batch is out: one batch after it.
    const second = load.load({ n: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    const third = load.load({ n: 3 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    held.resolve();
    expect(await Promise.all([first, second, third])).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it("a failed batch fails its callers and does not hold up the next", async () => {
    let calls = 0;
    const load = loader<{ n: number }, number>(async (batch) => {
      calls++;
      if (calls === 1) throw new Error("database gone");
      return batch.map((c) => c.n);
    });
    await expect(load.load({ n: 1 })).rejects.toThrow("database gone");
    expect(await load.load({ n: 2 })).toBe(2);
  });
});

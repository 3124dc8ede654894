import type { StateMap } from "./types.js";

export interface SplitState {
  /** Keys every state set agrees on. */
  unconflicted: StateMap;
  /** The remaining keys with every distinct event id the state sets hold for them. */
  conflicted: Map<string, Set<string>>;
}

/**
 * State res v2 split: a key is unconflicted only if *every* state set holds it with the same event;
 * a key missing from one set is conflicted. One pass over the entries of all sets.
 */
export function splitConflicted(stateSets: readonly StateMap[]): SplitState {
  const unconflicted: StateMap = new Map();
  const conflicted = new Map<string, Set<string>>();
  if (stateSets.length === 0) return { unconflicted, conflicted };
  const [first, ...rest] = stateSets;
  for (const [key, id] of first) {
    let agreed = true;
    for (const other of rest) {
      if (other.get(key) !== id) {
        agreed = false;
        break;
      }
    }
    if (agreed) {
      unconflicted.set(key, id);
      continue;
    }
    const ids = new Set<string>([id]);
    for (const other of rest) {
      const otherId = other.get(key);
      if (otherId !== undefined) ids.add(otherId);
    }
    conflicted.set(key, ids);
  }
  // Keys the first set lacks are conflicted by definition; their ids were not gathered above.
  for (const other of rest) {
    for (const [key, id] of other) {
      if (first.has(key)) continue;
      let ids = conflicted.get(key);
      if (!ids) conflicted.set(key, (ids = new Set()));
      ids.add(id);
    }
  }
  return { unconflicted, conflicted };
}

/**
 * State res v1 split: a key conflicts only when two state sets hold *different* events for it; a
 * key some sets lack is still unconflicted (the v1 spec: "a conflict occurs between states where
 * those states have different event_ids for the same key").
 */
export function splitConflictedV1(stateSets: readonly StateMap[]): SplitState {
  const unconflicted: StateMap = new Map();
  const conflicted = new Map<string, Set<string>>();
  for (const stateSet of stateSets) {
    for (const [key, id] of stateSet) {
      const ids = conflicted.get(key);
      if (ids) {
        ids.add(id);
        continue;
      }
      const seen = unconflicted.get(key);
      if (seen === undefined) unconflicted.set(key, id);
      else if (seen !== id) {
        unconflicted.delete(key);
        conflicted.set(key, new Set([seen, id]));
      }
    }
  }
  return { unconflicted, conflicted };
}

/** All event ids of a conflicted state set, flattened. */
export function conflictedEventIds(conflicted: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const ids = new Set<string>();
  for (const set of conflicted.values()) for (const id of set) ids.add(id);
  return ids;
}

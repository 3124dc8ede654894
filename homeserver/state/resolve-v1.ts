import { createHash } from "node:crypto";
import { checkEventAuth } from "../events/auth-rules/index.js";
import { stateKeyOf, type IdentifiedPdu, type StateLookup } from "../events/pdu.js";
import type { RoomVersion } from "../events/room-versions.js";
import { splitConflictedV1 } from "./conflicts.js";
import { compareCodePoints, POWER_LEVELS_KEY, type EventSource, type StateMap } from "./types.js";

/**
 * State resolution v1 (room version 1 only). Known to reset state in some cases; kept because
 * version 1 rooms still exist. Follows the spec's passes (power levels, join rules, memberships,
 * then everything else), refreshing the state used for auth after each pass as Synapse does.
 */
export function resolveV1(version: RoomVersion, stateSets: readonly StateMap[], events: EventSource): StateMap {
  if (stateSets.length === 1) return new Map(stateSets[0]);
  const { unconflicted, conflicted } = splitConflictedV1(stateSets);

  // Events we cannot see take no part; a key left with one visible event is no longer in conflict.
  const candidates = new Map<string, IdentifiedPdu[]>();
  for (const [key, ids] of conflicted) {
    const visible: IdentifiedPdu[] = [];
    for (const id of ids) {
      const event = events.get(id);
      if (event) visible.push(event);
    }
    if (visible.length === 1) unconflicted.set(key, visible[0].event_id);
    else if (visible.length > 1) candidates.set(key, visible);
  }

  const resolved: StateMap = new Map(unconflicted);
  const sha1 = new Map<string, string>();
  const order = orderByDepthAndHash(sha1);
  const lookupOf = (state: StateMap, override?: IdentifiedPdu): StateLookup => ({
    get(type, stateKey) {
      if (override && override.type === type && override.state_key === stateKey) return override;
      const id = state.get(stateKeyOf(type, stateKey));
      return id === undefined || events.isRejected?.(id) ? undefined : events.get(id);
    },
  });
  const allowed = (event: IdentifiedPdu, lookup: StateLookup): boolean => {
    try {
      return checkEventAuth(event, lookup, version).ok;
    } catch {
      return false;
    }
  };

  // Auth events: ascending depth, descending sha1; accept each in turn until one fails auth.
  const resolveAuthKey = (list: IdentifiedPdu[], state: StateMap): string => {
    const ascending = [...list].sort(order).reverse();
    let accepted = ascending[0];
    for (let i = 1; i < ascending.length; i++) {
      if (!allowed(ascending[i], lookupOf(state, accepted))) break;
      accepted = ascending[i];
    }
    return accepted.event_id;
  };
  const pass = (select: (key: string, type: string) => boolean, resolveKey: typeof resolveAuthKey) => {
    // Every key of one pass is checked against the same state: results apply after the pass.
    const snapshot = new Map(resolved);
    const results: Array<[string, string]> = [];
    for (const [key, list] of candidates) {
      if (select(key, list[0].type)) results.push([key, resolveKey(list, snapshot)]);
    }
    for (const [key, id] of results) {
      resolved.set(key, id);
      candidates.delete(key);
    }
  };

  pass((key) => key === POWER_LEVELS_KEY, resolveAuthKey);
  pass((_key, type) => type === "m.room.join_rules", resolveAuthKey);
  pass((_key, type) => type === "m.room.member", resolveAuthKey);
  // Everything else: the deepest event (lowest sha1 on ties) that passes auth, else the shallowest.
  pass(
    () => true,
    (list, state) => {
      const descending = [...list].sort(order);
      for (const event of descending) if (allowed(event, lookupOf(state))) return event.event_id;
      return descending[descending.length - 1].event_id;
    },
  );
  return resolved;
}

/** Descending depth, then ascending hex sha1 of the event id (the order Synapse's v1 sorts by). */
function orderByDepthAndHash(cache: Map<string, string>): (a: IdentifiedPdu, b: IdentifiedPdu) => number {
  const hash = (id: string) => {
    let h = cache.get(id);
    if (h === undefined) cache.set(id, (h = createHash("sha1").update(id, "utf8").digest("hex")));
    return h;
  };
  return (a, b) => {
    const depthA = a.depth ?? 0;
    const depthB = b.depth ?? 0;
    if (depthA !== depthB) return depthB - depthA;
    return compareCodePoints(hash(a.event_id), hash(b.event_id));
  };
}

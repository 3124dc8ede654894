import type { Pdu } from "../events/pdu.js";
import type { EventSource, StateMap } from "./types.js";

/**
 * The ids in `auth_events`. v3+ events list bare ids, so the common case returns the array itself
 * without allocating; v1/v2 `[id, hashes]` pairs are mapped.
 */
export function authEventIds(event: Pdu): readonly string[] {
  const refs = event.auth_events;
  for (let i = 0; i < refs.length; i++) {
    if (typeof refs[i] !== "string") return refs.map((r) => (typeof r === "string" ? r : r[0]));
  }
  return refs as string[];
}

/**
 * The auth chain of a set of events: everything reachable through `auth_events`, excluding the
 * starting events themselves unless one is an auth event of another. Unknown events are skipped
 * (the caller preloads what it has; an event we cannot see cannot take part).
 *
 * `prune` names events whose whole auth chain is already known to be irrelevant: they are neither
 * added nor walked through. Pass an auth chain here, since an auth chain is closed under ancestry.
 */
export function computeAuthChain(
  eventIds: Iterable<string>,
  events: EventSource,
  prune?: ReadonlySet<string>,
): Set<string> {
  const chain = new Set<string>();
  const stack: string[] = [];
  // The starting events are walked but only become members when reached through an edge.
  for (const id of eventIds) stack.push(id);
  while (stack.length > 0) {
    const id = stack.pop()!;
    const event = events.get(id);
    if (!event) continue;
    const auths = authEventIds(event);
    for (let i = 0; i < auths.length; i++) {
      const a = auths[i];
      if (chain.has(a) || (prune !== undefined && prune.has(a))) continue;
      chain.add(a);
      stack.push(a);
    }
  }
  return chain;
}

/**
 * The auth difference: events in the full auth chain of some state set but not of all of them.
 *
 * Every state set holds the unconflicted state, so the auth chain of the unconflicted state lies in
 * every set's chain and never in the difference. Computing it once and pruning the per-set walks
 * there keeps the cost proportional to the room's state once, plus the conflicted part per set,
 * instead of the whole state per set.
 */
export function authDifference(
  stateSets: readonly StateMap[],
  unconflicted: StateMap,
  events: EventSource,
): Set<string> {
  const difference = new Set<string>();
  if (stateSets.length < 2) return difference;
  const commonChain = computeAuthChain(unconflicted.values(), events);
  const counts = new Map<string, number>();
  for (const stateSet of stateSets) {
    const own: string[] = [];
    for (const [key, id] of stateSet) if (unconflicted.get(key) !== id) own.push(id);
    for (const id of computeAuthChain(own, events, commonChain)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const [id, count] of counts) if (count < stateSets.length) difference.add(id);
  return difference;
}

/**
 * The conflicted state subgraph of state res v2.1 (room version 12, MSC4297): every event on an
 * `auth_events` path from one conflicted event to another, endpoints included.
 *
 * An event lies on such a path exactly when some conflicted event reaches it through at least one
 * edge (it is in the conflicted events' auth chain) and it reaches a conflicted event (through zero
 * edges if it is one itself). A conflicted event that only starts a path is found by the second
 * half alone. So: walk the auth chain down, then walk back up from the conflicted events along the
 * reversed edges, and keep the events both walks met.
 */
export function conflictedStateSubgraph(conflicted: ReadonlySet<string>, events: EventSource): Set<string> {
  const below = new Set<string>();
  const citedBy = new Map<string, string[]>();
  const stack: string[] = [...conflicted];
  const expanded = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (expanded.has(id)) continue;
    expanded.add(id);
    const event = events.get(id);
    if (!event) continue;
    for (const a of authEventIds(event)) {
      below.add(a);
      let list = citedBy.get(a);
      if (!list) citedBy.set(a, (list = []));
      list.push(id);
      if (!expanded.has(a)) stack.push(a);
    }
  }
  // Events that reach a conflicted event through at least one edge.
  const above = new Set<string>();
  const up: string[] = [...conflicted];
  while (up.length > 0) {
    const id = up.pop()!;
    for (const child of citedBy.get(id) ?? []) {
      if (above.has(child)) continue;
      above.add(child);
      up.push(child);
    }
  }
  const subgraph = new Set<string>();
  for (const id of below) if (conflicted.has(id) || above.has(id)) subgraph.add(id);
  for (const id of conflicted) if (above.has(id)) subgraph.add(id);
  return subgraph;
}

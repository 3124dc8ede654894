import type { RoomVersion } from "../events/room-versions.js";
import { authDifference, conflictedStateSubgraph } from "./auth-chain.js";
import { conflictedEventIds, splitConflicted } from "./conflicts.js";
import { iterativeAuthChecks } from "./iterative-auth.js";
import { mainlineSort } from "./mainline.js";
import { sortPowerEvents } from "./power-ordering.js";
import { isPowerEvent, POWER_LEVELS_KEY, type EventSource, type StateMap } from "./types.js";

/** The full conflicted set, restricted (as Synapse and ruma do) to events we can actually see. */
export function fullConflictedSet(
  version: RoomVersion,
  stateSets: readonly StateMap[],
  unconflicted: StateMap,
  conflictedIds: ReadonlySet<string>,
  events: EventSource,
): Set<string> {
  const full = new Set<string>();
  const add = (id: string) => {
    if (events.get(id) !== undefined) full.add(id);
  };
  conflictedIds.forEach(add);
  authDifference(stateSets, unconflicted, events).forEach(add);
  // v2.1 (MSC4297): replaying the paths between conflicted events stops an unconflicted event that
  // depends on conflicted history from being taken on trust.
  if (version.stateRes === "v2.1") conflictedStateSubgraph(conflictedIds, events).forEach(add);
  return full;
}

/**
 * State resolution v2 (room versions 2–11) and v2.1 (room version 12). The two differ in exactly
 * two places: v2.1 adds the conflicted state subgraph to the full conflicted set, and starts the
 * power event replay from an empty state rather than the unconflicted state map.
 */
export function resolveV2(version: RoomVersion, stateSets: readonly StateMap[], events: EventSource): StateMap {
  const { unconflicted, conflicted } = splitConflicted(stateSets);
  if (conflicted.size === 0) return unconflicted;

  const conflictedIds = conflictedEventIds(conflicted);
  const full = fullConflictedSet(version, stateSets, unconflicted, conflictedIds, events);

  // 1. Power events and their conflicted auth ancestry, most powerful and oldest first.
  const powerEvents: string[] = [];
  for (const id of full) if (isPowerEvent(events.get(id)!)) powerEvents.push(id);
  const sortedPower = sortPowerEvents(powerEvents, full, version, events);

  // 2. Replay them. v2.1 starts empty so that an unconflicted event never vouches for itself.
  const start: StateMap = version.stateRes === "v2.1" ? new Map() : new Map(unconflicted);
  const partial = iterativeAuthChecks(version, sortedPower, start, events);

  // 3. Everything else, ordered by the mainline of the power levels the replay settled on.
  const replayed = new Set(sortedPower);
  const remaining: string[] = [];
  for (const id of full) if (!replayed.has(id)) remaining.push(id);
  const sortedRemaining = mainlineSort(remaining, partial.get(POWER_LEVELS_KEY), events);

  // 4. Replay those on top of the partial state.
  const resolved = iterativeAuthChecks(version, sortedRemaining, partial, events);

  // 5. The unconflicted state map always wins.
  for (const [key, id] of unconflicted) resolved.set(key, id);
  return resolved;
}

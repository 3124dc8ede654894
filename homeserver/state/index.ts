/**
 * State resolution: given the states of several forks of a room, decide the one state that holds
 * where they meet. Synchronous by design: the caller preloads the events of the state sets and
 * their auth chains into an `EventSource`, so resolution is a CPU loop with no I/O waits.
 */
import type { RoomVersion } from "../events/room-versions.js";
import { resolveV1 } from "./resolve-v1.js";
import { resolveV2 } from "./resolve-v2.js";
import type { EventSource, StateMap } from "./types.js";

export type { EventSource, StateMap } from "./types.js";
export { computeAuthChain, authDifference, conflictedStateSubgraph } from "./auth-chain.js";
export { splitConflicted, splitConflictedV1 } from "./conflicts.js";
export { sortPowerEvents, lexicographicalTopologicalSort, senderPowerLevel } from "./power-ordering.js";
export { mainlineSort, mainlineOf } from "./mainline.js";
export { iterativeAuthChecks, passesIterativeAuth } from "./iterative-auth.js";

/**
 * Resolve `stateSets` (each keyed by `stateKeyOf(type, state_key)` -> event id) with the algorithm
 * of the room version. The input maps are never modified; the result is a new map.
 */
export function resolveState(version: RoomVersion, stateSets: readonly StateMap[], events: EventSource): StateMap {
  if (stateSets.length === 0) return new Map();
  if (stateSets.length === 1) return new Map(stateSets[0]);
  switch (version.stateRes) {
    case "v1":
      return resolveV1(version, stateSets, events);
    case "v2":
    case "v2.1":
      return resolveV2(version, stateSets, events);
    default:
      // Unreachable while RoomVersion's union is covered; guards a table entry added without us.
      throw new Error(`room version ${version.id} has unknown state resolution ${String(version.stateRes)}`);
  }
}

import type { StreamPositions } from "../streams/sync-token.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import { roomAllowed } from "../core/filters.js";
import type { SyncDeps, SyncScope } from "./sync-context.js";
import { membershipBefore, membershipOf } from "./user-memberships.js";

/** The user's rooms for one sync, from the events stream: what every provider may read (Dendrite's request rooms). */
export interface RoomsInWindow {
  /** The user's latest membership event per room at `to`, for the rooms the filter lets through. */
  memberships: ReadonlyMap<string, StoredEvent>;
  /** The user's membership events in the window by room, oldest first; none for an initial sync. */
  changes: ReadonlyMap<string, readonly StoredEvent[]>;
  /** Joined at `to`. */
  joined: readonly string[];
  /** Incremental syncs only (not full_state): rooms the user joined in this window, whose members' presence the client now needs. */
  newlyJoined: ReadonlySet<string>;
}

export async function roomsInWindow(deps: Pick<SyncDeps, "memberships">, scope: SyncScope, since: StreamPositions | undefined, to: StreamPositions): Promise<RoomsInWindow> {
  const { userId, filter } = scope;
  const lower = since?.events ?? 0;
  const [all, changeList] = await Promise.all([
    deps.memberships.at(userId, to.events),
    since ? deps.memberships.changesBetween(userId, lower, to.events) : Promise.resolve([]),
  ]);
  const changes = new Map<string, StoredEvent[]>();
  for (const change of changeList) {
    const roomId = change.pdu.room_id ?? "";
    changes.set(roomId, [...(changes.get(roomId) ?? []), change]);
  }
  const memberships = new Map<string, StoredEvent>();
  for (const [roomId, event] of all) if (roomAllowed(filter, roomId)) memberships.set(roomId, event);
  const joined: string[] = [];
  const newlyJoined = new Set<string>();
  const incremental = since !== undefined && !scope.fullState;
  for (const [roomId, event] of memberships) {
    if (membershipOf(event) !== "join") continue;
    joined.push(roomId);
    const roomChanges = changes.get(roomId) ?? [];
    // Joined at `since` and never anything else since: the client already holds the room's state.
    const keptJoined = roomChanges.every((c) => membershipOf(c) === "join") && (roomChanges.length === 0 || membershipBefore(roomChanges[0]) === "join");
    if (incremental && !keptJoined) newlyJoined.add(roomId);
  }
  return { memberships, changes, joined, newlyJoined };
}

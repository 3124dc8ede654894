import type { DeviceListsStore } from "../../storage/stores/device-lists-store.js";

/** How one user's rooms stand in an events window, as the sync builder (or /keys/changes) knows them. */
export interface RoomsOfUser {
  /** Joined at the end of the window. */
  joined: readonly string[];
  /** Joined within the window. */
  newlyJoined: ReadonlySet<string>;
  /** Left (or banned from) within the window, and not joined at its end. */
  left: readonly string[];
  /** Of the rooms joined throughout, those where someone's membership changed in the window; undefined: unknown. */
  withMembershipChanges?: readonly string[];
}

export interface DeviceListDelta {
  changed: string[];
  left: string[];
}

export type DeviceListReads = Pick<DeviceListsStore, "changedForUser" | "membershipChanges" | "membersOf" | "stillSharing">;

/**
 * The spec's device list changes for `userId` between two positions of each stream: `changed`, users sharing a room
 * with them (or them) whose devices or keys changed, and users who began sharing a room with them; `left`, users
 * who no longer share any room with them after a leave in the window. One answer for sync and /keys/changes.
 */
export async function deviceListDelta(
  store: DeviceListReads,
  userId: string,
  window: { deviceLists: { from: number; to: number }; events: { from: number; to: number } },
  rooms: RoomsOfUser,
): Promise<DeviceListDelta> {
  const changed = new Set(await store.changedForUser(userId, window.deviceLists.from, window.deviceLists.to));
  const left = new Set<string>();
  const { from, to } = window.events;
  if (from < to) {
    const stayed = rooms.joined.filter((roomId) => !rooms.newlyJoined.has(roomId));
    const [newcomers, others, leftBehind] = await Promise.all([
      store.membersOf([...rooms.newlyJoined], userId),
      store.membershipChanges(rooms.withMembershipChanges ?? stayed, userId, from, to),
      store.membersOf(rooms.left, userId),
    ]);
    for (const other of [...newcomers, ...others.joined]) changed.add(other);
    const maybeGone = [...new Set([...others.departed, ...leftBehind])];
    if (maybeGone.length > 0) {
      const still = await store.stillSharing(userId, maybeGone);
      for (const other of maybeGone) if (!still.has(other)) left.add(other);
    }
  }
  for (const other of left) changed.delete(other);
  return { changed: [...changed].sort(), left: [...left].sort() };
}

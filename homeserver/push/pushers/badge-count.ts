import type { PushActionsStore } from "../../storage/stores/push-actions-store.js";
import type { RoomsStore } from "../../storage/stores/rooms-store.js";

export interface BadgeCountDeps {
  rooms: Pick<RoomsStore, "roomsForUser">;
  pushActions: Pick<PushActionsStore, "counts">;
  /** The events stream's published position: counts cover what readers can see. */
  position: () => number;
  /** push.group_unread_count_by_room. */
  groupByRoom: () => boolean;
}

/**
 * counts.unread as Synapse's badge: one for each pending invite, plus, per joined room with unread
 * notifications, one (grouped by room, the default) or the number of them. The unread counts are the ones sync
 * reports (the same stored push actions and receipts), summed over the room's threads.
 */
export class BadgeCount {
  constructor(private readonly deps: BadgeCountDeps) {}

  async of(userId: string): Promise<number> {
    const rooms = await this.deps.rooms.roomsForUser(userId, ["join", "invite"]);
    const joined = rooms.filter((r) => r.membership === "join").map((r) => r.roomId);
    let badge = rooms.length - joined.length;
    if (joined.length === 0) return badge;
    const counts = (await this.deps.pushActions.counts([userId], joined, this.deps.position())).get(userId);
    const groupByRoom = this.deps.groupByRoom();
    for (const threads of counts?.values() ?? []) {
      let unread = 0;
      for (const thread of threads.values()) unread += thread.notifications;
      if (unread > 0) badge += groupByRoom ? 1 : unread;
    }
    return badge;
  }
}

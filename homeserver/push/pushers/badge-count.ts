import type { PushActionsStore } from "../../storage/stores/push-actions-store.js";
import type { RoomsStore } from "../../storage/stores/rooms-store.js";
import { loader } from "./batch-loader.js";

export interface BadgeCountDeps {
  rooms: Pick<RoomsStore, "roomsForUsers">;
  pushActions: Pick<PushActionsStore, "countsOfPairs" | "missedCallsOfPairs">;
  /** The events stream's published position: counts cover what readers can see. */
  position: () => number;
  /** push.group_unread_count_by_room. */
  groupByRoom: () => boolean;
}

/** What a pusher's notification carries as its counts. */
export interface Badge {
  unread: number;
  missedCalls: number;
}

/**
 * counts.unread as Synapse's badge: one for each pending invite, plus, per joined room with unread
 * notifications, one (grouped by room, the default) or the number of them. The unread counts are the ones sync
 * reports (the same stored push actions and receipts), summed over the room's threads. counts.missed_calls: the
 * call invites that notified the user and that they have not read (PushActionsStore.missedCallsOfPairs). The
 * badges asked for in one turn of the event loop (every member's pusher after a message into a big room) are read
 * together: three statements for all of them.
 */
export class BadgeCount {
  private readonly badges = loader<{ userId: string }, Badge>((calls) => this.read(calls.map((c) => c.userId)));

  constructor(private readonly deps: BadgeCountDeps) {}

  of(userId: string): Promise<Badge> {
    return this.badges.load({ userId });
  }

  private async read(userIds: readonly string[]): Promise<Badge[]> {
    const users = [...new Set(userIds)];
    const roomsOf = await this.deps.rooms.roomsForUsers(users, ["join", "invite"]);
    const badge = new Map<string, number>();
    const pairs: Array<{ userId: string; roomId: string }> = [];
    for (const userId of users) {
      const rooms = roomsOf.get(userId) ?? [];
      let invites = 0;
      for (const room of rooms) {
        if (room.membership === "join") pairs.push({ userId, roomId: room.roomId });
        else invites++;
      }
      badge.set(userId, invites);
    }
    const upTo = this.deps.position();
    const [counts, missed] = await Promise.all([this.deps.pushActions.countsOfPairs(pairs, upTo), this.deps.pushActions.missedCallsOfPairs(pairs, upTo)]);
    const groupByRoom = this.deps.groupByRoom();
    for (const [userId, rooms] of counts) {
      let total = badge.get(userId) ?? 0;
      for (const threads of rooms.values()) {
        let unread = 0;
        for (const thread of threads.values()) unread += thread.notifications;
        if (unread > 0) total += groupByRoom ? 1 : unread;
      }
      badge.set(userId, total);
    }
    return userIds.map((userId) => ({ unread: badge.get(userId) ?? 0, missedCalls: missed.get(userId) ?? 0 }));
  }
}

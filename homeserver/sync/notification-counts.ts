import { MAIN_THREAD, type CountsByUser, type PushActionsStore, type UnreadCounts } from "../storage/stores/push-actions-store.js";
import { LruCache } from "../core/lru-cache.js";
import type { JoinedRoomJson } from "../../schemas/client/sync/get-sync.js";

/** A joined room section's count parts. */
export type UnreadParts = Pick<JoinedRoomJson, "unread_notifications" | "unread_thread_notifications">;

/** Rooms' counts kept at once: one per (room, position) that recently woke its members, for as long as their syncs take to reach them. */
const ROOMS_KEPT = 256;

interface RoomCounts {
  counts: CountsByUser;
  members: ReadonlySet<string>;
}

/** Where a sync response ends: its events position, and its receipts position (a receipt lowers counts). */
export interface CountsAt {
  events: number;
  receipts: number;
}

/**
 * The unread counts a sync response carries for each joined room in it: `unread_notifications` (all threads
 * together, or the main timeline alone when the filter asks for `unread_thread_notifications`, which then holds
 * the threads). One message wakes every member of its room with the same window, and their syncs reach their
 * counts a few at a time (the build gate spreads them): the counts of all the room's local members are read in
 * one statement when the first asks, and kept by (room, events position, receipts position). Counts up to those
 * positions do not change later (a redaction, a join, an own event or a receipt moves one of them), so a kept
 * entry stays true; other processes' writes reach these positions through the same streams.
 */
export class NotificationCounts {
  private readonly rooms = new LruCache<string, Promise<RoomCounts>>(ROOMS_KEPT);
  private readonly localSuffix: string;

  constructor(
    private readonly store: Pick<PushActionsStore, "counts" | "countsOfRoomMembers">,
    serverName: string,
  ) {
    this.localSuffix = `:${serverName}`;
  }

  /** One user's counts in several rooms, up to `at`. */
  async forRooms(userId: string, roomIds: readonly string[], at: CountsAt, threaded: boolean): Promise<Map<string, UnreadParts>> {
    if (roomIds.length === 1) return new Map([[roomIds[0], await this.forMember(userId, roomIds[0], at, threaded)]]);
    const byRoom = (await this.store.counts([userId], roomIds, at.events)).get(userId);
    return new Map(roomIds.map((roomId) => [roomId, partsOf(byRoom?.get(roomId), threaded)]));
  }

  /** One member's counts in one room, from the counts of all its members at `at`. */
  async forMember(userId: string, roomId: string, at: CountsAt, threaded: boolean): Promise<UnreadParts> {
    const key = `${roomId}\u0000${at.events}\u0000${at.receipts}`;
    let room = this.rooms.get(key);
    if (!room) {
      room = this.store.countsOfRoomMembers(roomId, this.localSuffix, at.events);
      this.rooms.set(key, room);
      room.catch(() => this.rooms.delete(key));
    }
    const { counts, members } = await room;
    // Not joined when the room's counts were read (their join is newer than that): their own read.
    if (!members.has(userId)) return partsOf((await this.store.counts([userId], [roomId], at.events)).get(userId)?.get(roomId), threaded);
    return partsOf(counts.get(userId)?.get(roomId), threaded);
  }
}

const ZERO: UnreadCounts = { notifications: 0, highlights: 0 };
const json = ({ notifications, highlights }: UnreadCounts) => ({ notification_count: notifications, highlight_count: highlights });

/** Every joined room in a response gets its counts, zeros included: a client takes a room without them as unchanged. */
function partsOf(threads: ReadonlyMap<string, UnreadCounts> | undefined, threaded: boolean): UnreadParts {
  if (!threaded) {
    let total = ZERO;
    for (const counts of threads?.values() ?? []) total = { notifications: total.notifications + counts.notifications, highlights: total.highlights + counts.highlights };
    return { unread_notifications: json(total) };
  }
  const perThread: Record<string, ReturnType<typeof json>> = {};
  for (const [threadId, counts] of threads ?? []) if (threadId !== MAIN_THREAD) perThread[threadId] = json(counts);
  return { unread_notifications: json(threads?.get(MAIN_THREAD) ?? ZERO), unread_thread_notifications: perThread };
}

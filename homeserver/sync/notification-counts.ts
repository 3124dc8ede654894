import { MAIN_THREAD, type PushActionsStore, type UnreadCounts } from "../storage/stores/push-actions-store.js";
import type { JoinedRoomJson } from "../../schemas/client/sync/get-sync.js";

/** A joined room section's count parts. */
export type UnreadParts = Pick<JoinedRoomJson, "unread_notifications" | "unread_thread_notifications">;

interface PendingRoom {
  users: Map<string, Array<{ resolve: (parts: UnreadParts) => void; reject: (error: unknown) => void; threaded: boolean }>>;
}

/**
 * The unread counts a sync response carries for each joined room in it: `unread_notifications` (all threads
 * together, or the main timeline alone when the filter asks for `unread_thread_notifications`, which then holds
 * the threads). One message wakes every member of its room with the same window; their counts are read in one
 * query per room (`forMember` gathers the members that ask in the same turn) instead of one per member.
 */
export class NotificationCounts {
  private readonly pending = new Map<string, PendingRoom>();

  constructor(private readonly store: Pick<PushActionsStore, "counts">) {}

  /** One user's counts in several rooms, up to events-stream position `upTo`. */
  async forRooms(userId: string, roomIds: readonly string[], upTo: number, threaded: boolean): Promise<Map<string, UnreadParts>> {
    const byRoom = (await this.store.counts([userId], roomIds, upTo)).get(userId);
    return new Map(roomIds.map((roomId) => [roomId, partsOf(byRoom?.get(roomId), threaded)]));
  }

  /** One member's counts in one room, read together with every other member's asked for in this turn. */
  forMember(userId: string, roomId: string, upTo: number, threaded: boolean): Promise<UnreadParts> {
    const key = `${upTo}\u0000${roomId}`;
    let room = this.pending.get(key);
    if (!room) {
      room = { users: new Map() };
      this.pending.set(key, room);
      setImmediate(() => void this.flush(key, roomId, upTo));
    }
    const waiting = room.users.get(userId) ?? [];
    room.users.set(userId, waiting);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject, threaded }));
  }

  private async flush(key: string, roomId: string, upTo: number): Promise<void> {
    const room = this.pending.get(key)!;
    this.pending.delete(key);
    try {
      const counts = await this.store.counts([...room.users.keys()], [roomId], upTo);
      for (const [userId, waiting] of room.users) {
        const threads = counts.get(userId)?.get(roomId);
        for (const { resolve, threaded } of waiting) resolve(partsOf(threads, threaded));
      }
    } catch (error) {
      for (const waiting of room.users.values()) for (const { reject } of waiting) reject(error);
    }
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

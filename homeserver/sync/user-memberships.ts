import type { EventsStore, StoredEvent } from "../storage/stores/events-store.js";
import type { TimelineStore } from "../storage/stores/timeline-store.js";
import { LruCache } from "../core/lru-cache.js";
import type { StreamIndex } from "./stream-index.js";

/** The user's latest membership event per room, as of a stream position. */
export type MembershipMap = ReadonlyMap<string, StoredEvent>;

interface Snapshot {
  asOf: number;
  rooms: MembershipMap;
}

const CACHED_USERS = 10_000;

/**
 * Memberships of a user over the event stream, from the membership events themselves (not current_state,
 * which may already hold a change whose position is not yet published). A per-user snapshot is kept and
 * moved forward with only the changes since, and only when the stream index says there are any.
 */
export class UserMemberships {
  private readonly snapshots = new LruCache<string, Snapshot>(CACHED_USERS);

  constructor(
    private readonly events: EventsStore,
    private readonly timeline: TimelineStore,
    private readonly index: StreamIndex,
  ) {}

  async at(userId: string, position: number): Promise<MembershipMap> {
    const snapshot = this.snapshots.get(userId);
    if (snapshot && snapshot.asOf <= position) {
      if (!this.index.membershipMayHaveChanged(userId, snapshot.asOf)) return snapshot.rooms;
      const changes = await this.events.membershipChangesBetween(userId, snapshot.asOf, position);
      const rooms = new Map(snapshot.rooms);
      for (const change of changes) rooms.set(change.pdu.room_id ?? "", change);
      this.keep(userId, { asOf: position, rooms });
      return rooms;
    }
    const rooms = await this.timeline.latestMemberships(userId, position);
    if (!snapshot || snapshot.asOf < position) this.keep(userId, { asOf: position, rooms });
    return rooms;
  }

  /** The user's membership events with from < stream_pos <= to, oldest first. */
  async changesBetween(userId: string, from: number, to: number): Promise<StoredEvent[]> {
    if (from >= to || !this.index.membershipMayHaveChanged(userId, from)) return [];
    return this.events.membershipChangesBetween(userId, from, to);
  }

  private keep(userId: string, snapshot: Snapshot): void {
    const current = this.snapshots.get(userId);
    if (!current || current.asOf <= snapshot.asOf) this.snapshots.set(userId, snapshot);
  }
}

export function membershipOf(event: StoredEvent | undefined): string | undefined {
  if (!event) return undefined;
  const value = event.pdu.content.membership;
  return typeof value === "string" ? value : "leave";
}

/** The membership the user had just before `event` (a membership event of theirs), from its prev_content. */
export function membershipBefore(event: StoredEvent): string | undefined {
  const previous = event.unsigned?.prev_content as Record<string, unknown> | undefined;
  return typeof previous?.membership === "string" ? previous.membership : undefined;
}

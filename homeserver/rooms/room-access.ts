import { errors } from "../errors.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { CurrentStateReadsStore } from "../storage/stores/current-state-reads-store.js";
import type { TimelineStore } from "../storage/stores/timeline-store.js";
import type { VisibilityFilter, Viewer } from "./history-visibility.js";
import type { RoomStateReader } from "./room-state-reader.js";

/**
 * How a user may read a room:
 * - joined: the current state and all history visibility allows;
 * - departed (left, kicked or banned, and not forgotten): the room as it was at their membership change,
 *   nothing after it;
 * - peeking: not a member, but the room is world_readable now.
 */
export type RoomAccess =
  | { kind: "joined"; viewer: Viewer; memberPos: number }
  | { kind: "departed"; viewer: Viewer; until: number; leaveEvent: StoredEvent }
  | { kind: "peeking"; viewer: Viewer };

export class RoomAccessChecker {
  constructor(
    private readonly current: CurrentStateReadsStore,
    private readonly timeline: TimelineStore,
    private readonly reader: RoomStateReader,
    private readonly visibility: VisibilityFilter,
  ) {}

  /** Throws 403 M_FORBIDDEN when the user may not read the room (unknown rooms included, as Synapse does). */
  async require(userId: string, roomId: string): Promise<RoomAccess> {
    const access = await this.resolve(userId, roomId);
    if (!access) throw errors.forbidden(`You are not a member of ${roomId}, and it is not world readable`);
    return access;
  }

  async resolve(userId: string, roomId: string): Promise<RoomAccess | undefined> {
    const membership = await this.current.membership(roomId, userId);
    if (membership?.membership === "join") {
      return { kind: "joined", memberPos: membership.streamPos, viewer: { userId, joinedFrom: membership.streamPos, lastJoinPos: membership.streamPos } };
    }
    if (membership && (membership.membership === "leave" || membership.membership === "ban")) {
      const forgotten = await this.current.forgottenRooms(userId, [roomId]);
      const leaveEvent = forgotten.has(roomId) ? undefined : await this.reader.events.get(membership.eventId);
      if (leaveEvent) {
        const lastJoinPos = await this.timeline.lastJoinPos(roomId, userId, membership.streamPos);
        return { kind: "departed", until: membership.streamPos, leaveEvent, viewer: { userId, lastJoinPos } };
      }
    }
    if (await this.isWorldReadable(roomId)) return { kind: "peeking", viewer: { userId } };
    return undefined;
  }

  async isWorldReadable(roomId: string): Promise<boolean> {
    const id = await this.current.eventId(roomId, "m.room.history_visibility", "");
    if (!id) return false;
    return (await this.reader.values([id])).get(id)?.historyVisibility === "world_readable";
  }

  /** Only joined users, e.g. for /joined_members. */
  async requireJoined(userId: string, roomId: string): Promise<void> {
    const membership = await this.current.membership(roomId, userId);
    if (membership?.membership !== "join") throw errors.forbidden(`You are not joined to ${roomId}`);
  }

  get visibilityFilter(): VisibilityFilter {
    return this.visibility;
  }
}

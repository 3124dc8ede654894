import type { Logger } from "../core/logger.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { UserStore } from "../storage/stores/user-store.js";
import type { Requester } from "../users/requester.js";
import type { AfterPersist } from "./persist/after-commit.js";
import type { RoomMemory } from "./persist/room-memory.js";
import { guestsMayJoin } from "./membership.js";

export interface GuestEvictionRooms {
  roomMemory(roomId: string): Promise<RoomMemory | undefined>;
  leave(requester: Requester, roomId: string): Promise<void>;
}

/**
 * The spec's guest access rule: when a room's m.room.guest_access stops saying can_join, the server MUST set
 * its guests' membership to leave. Runs after the change commits (sent here or received over federation);
 * each of our joined guests leaves the room itself, as Synapse does it.
 */
export class GuestEviction implements AfterPersist {
  private rooms: GuestEvictionRooms | undefined;

  constructor(
    private readonly serverName: string,
    private readonly users: Pick<UserStore, "guestsAmong">,
    private readonly logger: Logger,
  ) {}

  /** Set once the room service exists: it is built on the persister this hook is handed to. */
  useRooms(rooms: GuestEvictionRooms): void {
    this.rooms = rooms;
  }

  eventsPersisted(roomId: string, rows: readonly StoredEvent[]): void {
    if (!rows.some((row) => row.pdu.type === "m.room.guest_access" && row.pdu.state_key === "")) return;
    this.evict(roomId).catch((error) => this.logger.error({ err: error, roomId }, "removing guests after a guest_access change failed"));
  }

  /** Resolves once every guest who may no longer be in the room has left it. */
  async evict(roomId: string): Promise<void> {
    const memory = await this.rooms?.roomMemory(roomId);
    if (!memory || guestsMayJoin(memory)) return;
    const suffix = `:${this.serverName}`;
    const joinedLocals: string[] = [];
    for (const [key, event] of memory.state) {
      if (key.startsWith("m.room.member\u0000") && event.content.membership === "join" && event.state_key!.endsWith(suffix)) joinedLocals.push(event.state_key!);
    }
    for (const userId of await this.users.guestsAmong(joinedLocals)) {
      try {
        await this.rooms!.leave({ userId, deviceId: "", isAdmin: false, tokenHash: "", isGuest: true }, roomId);
      } catch (error) {
        this.logger.warn({ err: error, roomId, userId }, "a guest could not be removed after a guest_access change");
      }
    }
  }
}

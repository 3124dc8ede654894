import type { BasicEventJson } from "../../../schemas/client/sync/get-sync.js";
import type { EphemeralWindow, RoomEphemeralSource } from "../sync-sources.js";
import type { TypingRooms } from "./typing-rooms.js";

/**
 * m.typing for sync: the room's whole typing set whenever it changed in (since, to]; on an initial sync, the
 * rooms where someone is typing. Nothing to read when the typing stream has not moved.
 */
export class TypingSyncSource implements RoomEphemeralSource {
  constructor(private readonly rooms: TypingRooms) {}

  async forRooms(window: EphemeralWindow, roomIds: readonly string[]): Promise<Map<string, BasicEventJson[]>> {
    const result = new Map<string, BasicEventJson[]>();
    const since = window.since?.typing;
    if (since !== undefined && since >= window.to.typing) return result;
    for (const roomId of roomIds) {
      const changedAt = this.rooms.changedAt(roomId);
      if (changedAt === undefined) continue;
      const userIds = this.rooms.users(roomId);
      // A change after `to` is sent now and again next time: the event is the whole set, so repeating it is harmless.
      if (since === undefined ? userIds.length === 0 : changedAt <= since) continue;
      result.set(roomId, [{ type: "m.typing", content: { user_ids: userIds } }]);
    }
    return result;
  }
}

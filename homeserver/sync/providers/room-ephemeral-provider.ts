import type { EphemeralWindow, RoomEphemeralSource } from "../../edus/sync-sources.js";
import { eventFilterAllows, roomListAllows } from "../../core/filters.js";
import { NOTHING, resentSince, type RoomParts, type StreamContribution, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

/**
 * An EDU stream shown in each joined room's `ephemeral`: receipts (m.receipt) or typing (m.typing), read from
 * the EDU service's source and put through the filter's room.ephemeral. One instance per stream.
 */
export class RoomEphemeralProvider implements SyncStreamProvider {
  readonly perUser = true;

  constructor(
    readonly stream: "receipts" | "typing",
    private readonly source: RoomEphemeralSource,
  ) {}

  news(window: SyncWindow): WindowNews {
    const since = resentSince(window)?.[this.stream];
    return since !== undefined && since >= window.to[this.stream] ? "none" : "stream";
  }

  async collect(request: SyncRequest): Promise<StreamContribution> {
    const { ephemeral } = request.scope.filter;
    const wanted = request.rooms.joined.filter((roomId) => roomListAllows(ephemeral.rooms, ephemeral.not_rooms, roomId));
    if (wanted.length === 0 || ephemeral.limit === 0) return NOTHING;
    const window: EphemeralWindow = { userId: request.scope.userId, since: resentSince(request), to: request.to };
    const roomParts = new Map<string, RoomParts>();
    for (const [roomId, events] of await this.source.forRooms(window, wanted)) {
      const kept = events.filter((e) => eventFilterAllows(ephemeral, { type: e.type }));
      if (kept.length > 0) roomParts.set(roomId, { ephemeral: { events: kept } });
    }
    return roomParts.size > 0 ? { roomParts } : NOTHING;
  }
}

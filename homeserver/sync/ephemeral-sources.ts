import type { BasicEventJson } from "../../schemas/client/sync/get-sync.js";
import type { EphemeralWindow, PresenceSyncSource, RoomEphemeralSource } from "../edus/edu-contracts.js";
import { eventFilterAllows, roomListAllows, type SyncFilter } from "./filters.js";

/**
 * The ephemeral streams the sync builder reads (receipts and typing per room, presence for the user).
 * The EDU services register here when the app is composed; sync only knows these interfaces.
 */
export class EphemeralSources {
  private readonly roomSources: RoomEphemeralSource[] = [];
  private presence: PresenceSyncSource | undefined;

  addRoomSource(source: RoomEphemeralSource): void {
    this.roomSources.push(source);
  }

  setPresence(source: PresenceSyncSource): void {
    this.presence = source;
  }

  /** Ephemeral events per joined room, after the filter's room.ephemeral. */
  async forRooms(window: EphemeralWindow, roomIds: readonly string[], filter: SyncFilter): Promise<Map<string, BasicEventJson[]>> {
    const merged = new Map<string, BasicEventJson[]>();
    const wanted = roomIds.filter((roomId) => roomListAllows(filter.ephemeral.rooms, filter.ephemeral.not_rooms, roomId));
    if (wanted.length === 0 || filter.ephemeral.limit === 0) return merged;
    const results = await Promise.all(this.roomSources.map((source) => source.forRooms(window, wanted)));
    for (const result of results) {
      for (const [roomId, events] of result) {
        const kept = events.filter((e) => eventFilterAllows(filter.ephemeral, { type: e.type }));
        if (kept.length === 0) continue;
        const existing = merged.get(roomId);
        if (existing) existing.push(...kept);
        else merged.set(roomId, kept);
      }
    }
    return merged;
  }

  async presenceFor(window: EphemeralWindow, filter: SyncFilter): Promise<BasicEventJson[]> {
    // A filter that leaves m.presence out (as many bots' and bridges' do) costs nothing here.
    if (!this.presence || filter.presence.limit === 0 || !eventFilterAllows(filter.presence, { type: "m.presence" })) return [];
    const events = await this.presence.forUser(window);
    const kept = events.filter((e) => eventFilterAllows(filter.presence, { type: e.type, sender: senderOf(e) }));
    return filter.presence.limit === undefined ? kept : kept.slice(0, filter.presence.limit);
  }

  /** Presence of users the viewer newly shares a room with, after the filter; none already in `shown`. */
  async newRoommatesPresence(viewer: string, users: readonly string[], rooms: readonly string[], filter: SyncFilter, shown: readonly BasicEventJson[]): Promise<BasicEventJson[]> {
    if (!this.presence || filter.presence.limit === 0 || !eventFilterAllows(filter.presence, { type: "m.presence" })) return [];
    const already = new Set(shown.map(senderOf));
    const events = await this.presence.forNewRoommates(viewer, users, rooms);
    const kept = events.filter((e) => !already.has(senderOf(e)) && eventFilterAllows(filter.presence, { type: e.type, sender: senderOf(e) }));
    const room = filter.presence.limit === undefined ? kept.length : Math.max(0, filter.presence.limit - shown.length);
    return kept.slice(0, room);
  }

  async syncing(userId: string, setPresence: "online" | "offline" | "unavailable" | undefined): Promise<void> {
    await this.presence?.syncing(userId, setPresence);
  }
}

function senderOf(event: BasicEventJson): string | undefined {
  const sender = (event as { sender?: unknown }).sender;
  return typeof sender === "string" ? sender : undefined;
}

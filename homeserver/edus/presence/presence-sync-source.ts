import type { BasicEventJson } from "../../../schemas/client/sync/get-sync.js";
import type { PresenceEventJson, PresenceValue } from "../../../schemas/client/presence/presence-content.js";
import type { CoreContext } from "../../core/core-context.js";
import type { EphemeralWindow, PresenceSyncSource } from "../sync-sources.js";
import type { PresenceService } from "./presence-service.js";
import type { SharedRooms } from "./shared-rooms.js";

/**
 * The top-level presence section of sync: users sharing a joined room with the syncing user (and the user),
 * whose presence changed in (since, to]; on an initial sync their current presence. No database read: the
 * rooms each user was in at their last change, and those rooms' in-memory membership, decide who sees what.
 */
export class PresenceSync implements PresenceSyncSource {
  constructor(
    private readonly core: CoreContext,
    private readonly presence: PresenceService,
    private readonly shared: SharedRooms,
  ) {}

  async forUser(window: EphemeralWindow): Promise<BasicEventJson[]> {
    if (!this.presence.enabled) return [];
    const since = window.since?.presence;
    if (since !== undefined && since >= window.to.presence) return [];
    const candidates = since === undefined ? this.presence.initialCandidates() : this.presence.changedBetween(since, window.to.presence);
    if (candidates.length === 0) return [];
    const viewer = window.userId;
    const visible: string[] = [];
    for (const userId of candidates) {
      if (userId === viewer) {
        visible.push(userId);
        continue;
      }
      // Every build asks this for every changed user: rooms in memory answer without an await.
      const rooms = this.presence.roomsOf(userId);
      if (this.shared.bothJoinedInMemory(rooms, viewer, userId) ?? (await this.shared.bothJoinedIn(rooms, viewer, userId))) visible.push(userId);
    }
    const now = this.core.clock.now();
    return visible.map((userId): PresenceEventJson => ({ type: "m.presence", sender: userId, content: this.presence.contentFor(userId, now) }));
  }

  async forNewRoommates(viewer: string, users: readonly string[], rooms: readonly string[]): Promise<BasicEventJson[]> {
    if (!this.presence.enabled || (users.length === 0 && rooms.length === 0)) return [];
    const wanted = new Set(users);
    for (const roomId of rooms) for (const member of await this.shared.joinedMembers(roomId)) wanted.add(member);
    wanted.delete(viewer);
    const now = this.core.clock.now();
    const events: PresenceEventJson[] = [];
    for (const userId of wanted) {
      // As on an initial sync: users we know nothing of, and offline ones without a status, are left out.
      if (!this.presence.isWorthShowing(userId)) continue;
      events.push({ type: "m.presence", sender: userId, content: this.presence.contentFor(userId, now) });
    }
    return events;
  }

  syncing(userId: string, setPresence: PresenceValue | undefined): Promise<void> {
    return this.presence.syncing(userId, setPresence);
  }
}

import type { CoreContext } from "../../core/core-context.js";
import type { PresenceService } from "./presence-service.js";
import { serverOf, type SharedRooms } from "./shared-rooms.js";

/**
 * A joining server stores the room only once our answer to its send_join arrives; presence sent at once
 * would usually get there first and be refused (we only take presence about users it shares a room with).
 */
const AFTER_REMOTE_JOIN_MS = 2_000;

/**
 * Presence for servers that have just come to share a room, as Synapse does: when a remote user joins one of
 * our rooms, their server gets the presence of the room's local members; when a local user joins a room, the
 * room's other servers get theirs. Otherwise a peer would only learn it at the next change, or at the
 * 25-minute refresh. (A displayname change is a join too; it re-sends presence, which is harmless.)
 */
export class PresenceOnJoin {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly core: CoreContext,
    private readonly presence: PresenceService,
    private readonly shared: SharedRooms,
  ) {}

  /** Follows the events stream; member events come with their state keys as the audience's users. */
  start(): () => void {
    const unsubscribe = this.core.notifier.subscribe((stream, _position, audience) => {
      if (stream !== "events" || !this.presence.enabled) return;
      const users = [...(audience.users ?? [])];
      if (users.length === 0) return;
      for (const roomId of audience.rooms ?? []) {
        this.joined(roomId, users).catch((error: Error) => this.core.logger.warn({ roomId, err: error.message }, "could not share presence after a join"));
      }
    });
    return () => {
      unsubscribe();
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
    };
  }

  private async joined(roomId: string, users: readonly string[]): Promise<void> {
    const members = await this.shared.joinedMembers(roomId);
    const joinedNow = new Set(members);
    const ours = this.core.serverName;
    for (const userId of users) {
      if (!joinedNow.has(userId)) continue;
      const server = serverOf(userId);
      if (server === ours) {
        const servers = new Set(members.map(serverOf).filter((s) => s !== ours));
        if (servers.size > 0) this.presence.sendTo(servers, [userId]);
      } else {
        const locals = members.filter((member) => serverOf(member) === ours);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.presence.sendTo([server], locals);
        }, AFTER_REMOTE_JOIN_MS);
        timer.unref();
        this.timers.add(timer);
      }
    }
  }
}

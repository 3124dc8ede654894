import type { IdentifiedPdu, StateLookup } from "../events/pdu.js";
import type { RoomVersion } from "../events/room-versions.js";

const MEMBER_PREFIX = "m.room.member\u0000";

/**
 * What the persist pipeline keeps in memory per room: the current state events (auth needs them on every
 * send), forward extremities, the deepest depth and the current state group. Only the room's persist queue
 * changes it, after commit, so it cannot disagree with the database while this process is the only writer.
 */
export class RoomMemory {
  constructor(
    readonly roomId: string,
    readonly version: RoomVersion,
    readonly state: Map<string, IdentifiedPdu>,
    public extremities: string[],
    public maxDepth: number,
    public stateGroup: number | null,
  ) {}

  get lookup(): StateLookup {
    return { get: (type, stateKey) => this.state.get(`${type}\u0000${stateKey}`) };
  }

  membershipOf(userId: string): string | undefined {
    const member = this.state.get(`m.room.member\u0000${userId}`);
    return member ? String(member.content.membership) : undefined;
  }

  /** The servers with a joined member, other than `except` (ours): where the room's events and EDUs go. */
  joinedServers(except?: string): Set<string> {
    const servers = new Set<string>();
    for (const [key, event] of this.state) {
      if (key.startsWith(MEMBER_PREFIX) && event.content.membership === "join") {
        const userId = event.state_key!;
        servers.add(userId.slice(userId.indexOf(":") + 1));
      }
    }
    if (except !== undefined) servers.delete(except);
    return servers;
  }

  stateEvent(type: string, stateKey = ""): IdentifiedPdu | undefined {
    return this.state.get(`${type}\u0000${stateKey}`);
  }
}

import type { IdentifiedPdu, StateLookup } from "../../events/pdu.js";
import type { RoomVersion } from "../../events/room-versions.js";

const MEMBER_PREFIX = "m.room.member\u0000";

/**
 * What the persist pipeline keeps in memory per room: the current state events (auth needs them on every
 * send), forward extremities, the deepest depth and the current state group. Only the room's persist queue
 * changes it, after commit, so it cannot disagree with the database while this process is the only writer.
 */
export class RoomMemory {
  /**
   * The servers with a joined member, kept while no membership changes. Every local send and EDU asks for the
   * room's servers; counting them from the state each time cost ~1 ms per call in a room of 2,000 members.
   */
  private servers: ReadonlySet<string> | undefined;
  /** The joined members of one server (ours: whom push rules are evaluated for), kept like `servers`. */
  private localMembers: { server: string; members: readonly string[]; events: readonly IdentifiedPdu[] } | undefined;
  /** How many members are joined, kept like `servers` (push rules read it for every event). */
  private joinedTotal: number | undefined;

  constructor(
    readonly roomId: string,
    readonly version: RoomVersion,
    private readonly current: Map<string, IdentifiedPdu>,
    public extremities: string[],
    public maxDepth: number,
    public stateGroup: number | null,
  ) {}

  /** The current state by `type\0state_key`; changed only through setState and replaceState. */
  get state(): ReadonlyMap<string, IdentifiedPdu> {
    return this.current;
  }

  setState(key: string, event: IdentifiedPdu): void {
    this.current.set(key, event);
    if (key.startsWith(MEMBER_PREFIX)) {
      this.servers = undefined;
      this.localMembers = undefined;
      this.joinedTotal = undefined;
    }
  }

  replaceState(state: Iterable<readonly [string, IdentifiedPdu]>): void {
    this.current.clear();
    for (const [key, event] of state) this.current.set(key, event);
    this.servers = undefined;
    this.localMembers = undefined;
    this.joinedTotal = undefined;
  }

  get lookup(): StateLookup {
    return { get: (type, stateKey) => this.state.get(`${type}\u0000${stateKey}`) };
  }

  membershipOf(userId: string): string | undefined {
    const member = this.state.get(`m.room.member\u0000${userId}`);
    return member ? String(member.content.membership) : undefined;
  }

  /** The servers with a joined member, other than `except` (ours): where the room's events and EDUs go. */
  joinedServers(except?: string): Set<string> {
    const servers = new Set(this.serversWithMembers());
    if (except !== undefined) servers.delete(except);
    return servers;
  }

  /** The joined members whose user id is on `server`. */
  joinedMembersOf(server: string): readonly string[] {
    return this.localMembersOf(server).members;
  }

  /** Their member events, in the same order (display names for push rules without a lookup each). */
  joinedMemberEventsOf(server: string): readonly IdentifiedPdu[] {
    return this.localMembersOf(server).events;
  }

  private localMembersOf(server: string): { members: readonly string[]; events: readonly IdentifiedPdu[] } {
    if (this.localMembers?.server === server) return this.localMembers;
    const suffix = `:${server}`;
    const members: string[] = [];
    const events: IdentifiedPdu[] = [];
    for (const [key, event] of this.current) {
      if (key.startsWith(MEMBER_PREFIX) && event.content.membership === "join" && event.state_key!.endsWith(suffix)) {
        members.push(event.state_key!);
        events.push(event);
      }
    }
    this.localMembers = { server, members, events };
    return this.localMembers;
  }

  /** How many members are joined (push rules' room_member_count). */
  joinedCount(): number {
    if (this.joinedTotal !== undefined) return this.joinedTotal;
    let count = 0;
    for (const [key, event] of this.current) if (key.startsWith(MEMBER_PREFIX) && event.content.membership === "join") count += 1;
    return (this.joinedTotal = count);
  }

  private serversWithMembers(): ReadonlySet<string> {
    if (this.servers) return this.servers;
    const servers = new Set<string>();
    for (const [key, event] of this.current) {
      if (key.startsWith(MEMBER_PREFIX) && event.content.membership === "join") {
        const userId = event.state_key!;
        servers.add(userId.slice(userId.indexOf(":") + 1));
      }
    }
    return (this.servers = servers);
  }

  stateEvent(type: string, stateKey = ""): IdentifiedPdu | undefined {
    return this.state.get(`${type}\u0000${stateKey}`);
  }
}

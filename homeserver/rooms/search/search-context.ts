import type { StoredEvent } from "../../storage/stores/events-store.js";
import type { TimelineStore } from "../../storage/stores/timeline-store.js";
import type { SearchProfileInfo } from "../../../schemas/client/search/search.js";
import type { VisibilityFilter, Viewer } from "../history-visibility.js";
import type { RoomStateReader } from "../room-state-reader.js";

/** At most this many context events on each side of a result, whatever the client asks. */
export const MAX_CONTEXT_LIMIT = 100;
/** Rows looked at per side before answering with fewer events (events the user may not see are skipped). */
const MAX_CONTEXT_SCAN = 500;

export interface ContextEvents {
  before: StoredEvent[];
  after: StoredEvent[];
  /** Positions to paginate from with /messages: back from `start`, forward from `end`. */
  start: number;
  end: number;
}

/** event_context: the events around one result that the user may see, and the senders' profiles at the time. */
export class SearchContextReader {
  constructor(
    private readonly timeline: TimelineStore,
    private readonly visibility: VisibilityFilter,
    private readonly reader: RoomStateReader,
  ) {}

  async around(
    roomId: string,
    target: StoredEvent,
    limits: { before: number; after: number },
    viewer: Viewer,
    until: number,
    memberships: Map<string, string>,
  ): Promise<ContextEvents> {
    // Before the result newest first, as /context gives them.
    const before = await this.side(roomId, target.streamPos - 1, "b", limits.before, undefined, viewer, memberships);
    const after = await this.side(roomId, target.streamPos, "f", limits.after, until, viewer, memberships);
    return { before: before.kept, after: after.kept, start: before.cursor, end: after.cursor };
  }

  /** The senders' display names and avatars in the state at `last` (the latest event of the context). */
  async profiles(last: StoredEvent, senders: readonly string[]): Promise<Record<string, SearchProfileInfo>> {
    const group = last.stateGroupAfter ?? last.stateGroupBefore;
    const found = (await this.reader.keysAt([group], senders.map((s) => ["m.room.member", s] as const))).get(group)!;
    const profiles: Record<string, SearchProfileInfo> = {};
    for (const member of await this.reader.eventsInOrder([...found.values()])) {
      // A redacted membership keeps no display name or avatar.
      const content = member.redactedBy ? {} : member.pdu.content;
      const profile: SearchProfileInfo = {};
      if (typeof content.displayname === "string") profile.displayname = content.displayname;
      if (typeof content.avatar_url === "string" && content.avatar_url.startsWith("mxc://")) profile.avatar_url = content.avatar_url;
      profiles[member.pdu.state_key!] = profile;
    }
    return profiles;
  }

  private async side(
    roomId: string,
    from: number,
    dir: "b" | "f",
    limit: number,
    to: number | undefined,
    viewer: Viewer,
    memberships: Map<string, string>,
  ): Promise<{ kept: StoredEvent[]; cursor: number }> {
    const kept: StoredEvent[] = [];
    let cursor = from;
    let scanned = 0;
    while (kept.length < limit && scanned < MAX_CONTEXT_SCAN) {
      const want = Math.min(limit - kept.length, MAX_CONTEXT_SCAN - scanned);
      const rows = await this.timeline.page(roomId, { from: cursor, dir, limit: want, to });
      scanned += rows.length;
      if (rows.length > 0) cursor = dir === "b" ? rows[rows.length - 1].streamPos - 1 : rows[rows.length - 1].streamPos;
      kept.push(...(await this.visibility.filter(rows, viewer, memberships)));
      if (rows.length < want) break;
    }
    return { kept, cursor };
  }
}

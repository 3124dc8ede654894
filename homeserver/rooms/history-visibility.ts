import type { StoredEvent } from "../storage/stores/events-store.js";
import type { RoomStateReader } from "./room-state-reader.js";
import { withoutIgnored, type IgnoredUsersSource } from "../users/ignored/ignored-users.js";

export type HistoryVisibility = "world_readable" | "shared" | "invited" | "joined";

/** Most permissive first: for events on a boundary the more permissive side applies. */
const VISIBILITY_ORDER: readonly HistoryVisibility[] = ["world_readable", "shared", "invited", "joined"];
/** Most joined first: for a user's own membership event the more joined side applies. */
const MEMBERSHIP_ORDER = ["join", "invite", "knock", "leave", "ban"] as const;

export function effectiveVisibility(value: unknown): HistoryVisibility {
  // The spec: a missing or unknown history_visibility is treated as "shared".
  return VISIBILITY_ORDER.includes(value as HistoryVisibility) ? (value as HistoryVisibility) : "shared";
}

function normalMembership(value: unknown): string {
  return (MEMBERSHIP_ORDER as readonly unknown[]).includes(value) ? (value as string) : "leave";
}

/** What we know about the viewer's relation to the room, beyond the state at each event. */
export interface Viewer {
  userId: string;
  /**
   * The viewer has been joined without interruption from this position up to the end of what is being
   * read: every event at or after it is visible with no state lookup (the common case in sync).
   */
  joinedFrom?: number;
  /**
   * Position of the viewer's latest join at or before the end of what is being read. Under "shared" an
   * event is visible to a user who joined at some point after it (the spec's rule 3); users who never
   * joined are only peeking.
   */
  lastJoinPos?: number;
}

export interface EventVisibilityFacts {
  /** history_visibility in the state after the event. */
  visibility: HistoryVisibility;
  /** The viewer's membership in the state after the event. */
  membership: string | undefined;
}

/**
 * The spec's visibility algorithm for one event, using the state after it, with Synapse's treatment of
 * boundaries: a history_visibility change is judged by the more permissive of old and new value, and a
 * user's own membership change by the more joined of old and new (and a user always sees their own leave).
 */
export function canSeeEvent(event: StoredEvent, facts: EventVisibilityFacts, viewer: Viewer): boolean {
  const pdu = event.pdu;
  const prevContent = (event.unsigned?.prev_content ?? {}) as Record<string, unknown>;
  let visibility = facts.visibility;
  if (pdu.type === "m.room.history_visibility" && pdu.state_key === "") {
    const previous = effectiveVisibility(prevContent.history_visibility);
    if (VISIBILITY_ORDER.indexOf(previous) < VISIBILITY_ORDER.indexOf(visibility)) visibility = previous;
  }
  if (visibility === "world_readable") return true;
  const peeking = !(viewer.lastJoinPos !== undefined && viewer.lastJoinPos >= event.streamPos);
  if (visibility === "shared" && !peeking) return true;

  let membership = facts.membership;
  if (pdu.type === "m.room.member" && pdu.state_key === viewer.userId) {
    const now = normalMembership(pdu.content.membership);
    const before = normalMembership(prevContent.membership);
    if (now === "leave" && (before === "join" || before === "invite")) return true;
    membership = MEMBERSHIP_ORDER.indexOf(before as never) < MEMBERSHIP_ORDER.indexOf(now as never) ? before : now;
  }
  if (membership === "join") return true;
  if (visibility === "invited") return membership === "invite";
  return false;
}

/**
 * Decides which of a batch of events a user may see. State is read per distinct state group, two entries
 * at a time (history visibility and the viewer's membership), through the reader's cache. Non-state events
 * of users the viewer ignores are left out here too (the spec's "Ignoring users"), so every read path that
 * applies history visibility, sync included, applies the ignore list with it, as Synapse does.
 */
export class VisibilityFilter {
  constructor(
    private readonly reader: RoomStateReader,
    private readonly ignored?: IgnoredUsersSource,
  ) {}

  /**
   * `memberships`, when given, receives the viewer's membership at each visible event (the spec's
   * unsigned.membership, "leave" before they had any), by event id.
   */
  async filter(all: readonly StoredEvent[], viewer: Viewer, memberships?: Map<string, string>): Promise<StoredEvent[]> {
    const events = all.length > 0 && this.ignored ? withoutIgnored(all, await this.ignored.ignoredBy(viewer.userId)) : all;
    const fast = (e: StoredEvent) => viewer.joinedFrom !== undefined && e.streamPos >= viewer.joinedFrom;
    // Joined without interruption since joinedFrom: the viewer was a member at every later event.
    if (memberships) for (const event of events) if (fast(event)) memberships.set(event.pdu.event_id, "join");
    const needsState = events.filter((e) => !fast(e));
    if (needsState.length === 0) return [...events];
    const groupOf = (e: StoredEvent) => e.stateGroupAfter ?? e.stateGroupBefore;
    const keys = [
      ["m.room.history_visibility", ""],
      ["m.room.member", viewer.userId],
    ] as const;
    const byGroup = await this.reader.keysAt(needsState.map(groupOf), keys);
    const ids = new Set<string>();
    for (const found of byGroup.values()) for (const id of found.values()) ids.add(id);
    const values = await this.reader.values(ids);
    const hidden = new Set<StoredEvent>();
    for (const event of needsState) {
      const found = byGroup.get(groupOf(event))!;
      const visibilityId = found.get("m.room.history_visibility\u0000");
      const memberId = found.get(`m.room.member\u0000${viewer.userId}`);
      const facts: EventVisibilityFacts = {
        visibility: effectiveVisibility(visibilityId ? values.get(visibilityId)?.historyVisibility : undefined),
        membership: memberId ? values.get(memberId)?.membership : undefined,
      };
      if (!canSeeEvent(event, facts, viewer)) hidden.add(event);
      else memberships?.set(event.pdu.event_id, facts.membership ?? "leave");
    }
    return events.filter((e) => !hidden.has(e));
  }

  /** The room's history visibility in the state at a group (for "may this user read the room at all"). */
  async visibilityAt(group: number | null): Promise<HistoryVisibility> {
    const found = (await this.reader.keysAt([group], [["m.room.history_visibility", ""]])).get(group)!;
    const id = found.get("m.room.history_visibility\u0000");
    return effectiveVisibility(id ? (await this.reader.values([id])).get(id)?.historyVisibility : undefined);
  }
}

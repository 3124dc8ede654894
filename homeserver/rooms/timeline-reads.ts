import type { CoreContext } from "../core/core-context.js";
import { errors } from "../errors.js";
import { formatRoomToken, parseRoomToken } from "../streams/sync-token.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { TimelineStore } from "../storage/stores/timeline-store.js";
import type { Requester } from "../users/requester.js";
import { roomEventFilterAllows, sqlFilterOf, type RoomEventFilter } from "../core/filters.js";
import type { GetMessagesResponse } from "../../schemas/client/room-reads/get-messages.js";
import type { GetContextResponse } from "../../schemas/client/room-reads/get-context.js";
import type { Viewer } from "./history-visibility.js";
import { formatEvents, type AggregationSource } from "./read-formatting.js";
import type { RelatedByFilter } from "./relations/related-by-filter.js";
import type { RoomAccessChecker } from "./room-access.js";
import type { RoomStateReader } from "./room-state-reader.js";

export interface MessagesRequest {
  from?: string;
  to?: string;
  dir: "b" | "f";
  limit?: number;
  filter?: RoomEventFilter;
}

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;
/**
 * How many rows one request may scan looking for events the user can see. Past it we answer with what we
 * have and an `end` token, so a user who joined late into a "joined" room cannot make one request walk
 * the whole history.
 */
const MAX_SCAN = 2000;

interface ScanResult {
  kept: StoredEvent[];
  /** The viewer's membership at each kept event (unsigned.membership). */
  memberships: Map<string, string>;
  /** Token to continue from; undefined when the range is exhausted. */
  next?: number;
}

/** GET /messages and /context: pages of a room's timeline, filtered by the RoomEventFilter and history visibility. */
export class TimelineReads {
  private backfill: ((roomId: string, limit: number) => Promise<number>) | undefined;

  constructor(
    private readonly core: CoreContext,
    private readonly timeline: TimelineStore,
    private readonly reader: RoomStateReader,
    private readonly access: RoomAccessChecker,
    /** Bundled aggregations of the events returned, and the filters' related_by_* fields. */
    private readonly relations: { aggregations: AggregationSource; relatedBy: RelatedByFilter },
  ) {}

  /** Set once federation is composed: fetch older history from other servers when ours runs out. */
  useBackfill(backfill: (roomId: string, limit: number) => Promise<number>): void {
    this.backfill = backfill;
  }

  async messages(requester: Requester, roomId: string, request: MessagesRequest): Promise<GetMessagesResponse> {
    const access = await this.access.require(requester.userId, roomId);
    const version = (await this.reader.roomVersion(roomId))!;
    const limit = Math.min(Math.max(0, request.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    const given = request.from === undefined ? undefined : this.parseToken(request.from, "from");
    const published = this.core.streams.events.current;
    // Never past the published position: an event there may still have an earlier one committing before it.
    const from = Math.min(given ?? (request.dir === "b" ? published : 0), published);
    let to = request.to === undefined ? undefined : this.parseToken(request.to, "to");
    if (request.dir === "f") to = Math.min(to ?? published, published);
    let cursor = from;
    if (access.kind === "departed") {
      // Nothing after the user's leave: clamp the window to it.
      if (request.dir === "b") cursor = Math.min(cursor, access.until);
      else to = Math.min(to ?? access.until, access.until);
    }
    const filter = request.filter ?? {};
    let { kept, next, memberships } = await this.scan(roomId, cursor, request.dir, limit, to, filter, access.viewer);
    // Paging back past the oldest event we hold: ask the servers in the room for what came before.
    if (request.dir === "b" && next === undefined && kept.length < limit && this.backfill && (await this.backfill(roomId, limit)) > 0) {
      const resumeAt = kept.length > 0 ? kept[kept.length - 1].streamPos - 1 : cursor;
      const more = await this.scan(roomId, resumeAt, "b", limit - kept.length, to, filter, access.viewer);
      kept = [...kept, ...more.kept];
      next = more.next;
      for (const [id, membership] of more.memberships) memberships.set(id, membership);
    }
    const viewer = { userId: requester.userId, deviceId: requester.deviceId };
    const now = this.core.clock.now();
    const response: GetMessagesResponse = {
      start: request.from ?? formatRoomToken(from),
      chunk: await formatEvents(this.reader.events, kept, version, now, viewer, memberships, this.relations.aggregations),
    };
    if (next !== undefined) response.end = formatRoomToken(next);
    if (filter.lazy_load_members && kept.length > 0) {
      // As Synapse: the senders' memberships in the state at the first event of the chunk.
      const senders = [...new Set(kept.map((e) => e.pdu.sender))];
      const state = await this.membersAt(kept[0], senders);
      if (state.length > 0) response.state = await formatEvents(this.reader.events, state, version, now, viewer);
    }
    return response;
  }

  async context(requester: Requester, roomId: string, eventId: string, limitParam: number | undefined, filter: RoomEventFilter = {}): Promise<GetContextResponse> {
    const target = await this.reader.events.get(eventId);
    if (!target || roomIdOf(target) !== roomId) throw errors.notFound("Event not found");
    const access = await this.access.resolve(requester.userId, roomId);
    const memberships = new Map<string, string>();
    if (!access || !(await this.access.visibilityFilter.filter([target], access.viewer, memberships)).length) {
      throw errors.forbidden("You don't have permission to access that event");
    }
    const version = (await this.reader.roomVersion(roomId))!;
    const limit = Math.min(Math.max(0, limitParam ?? DEFAULT_LIMIT), MAX_LIMIT);
    const beforeLimit = Math.floor(limit / 2);
    const before = await this.scan(roomId, target.streamPos - 1, "b", beforeLimit, undefined, filter, access.viewer);
    const published = this.core.streams.events.current;
    const afterTo = access.kind === "departed" ? Math.min(access.until, published) : published;
    const after = await this.scan(roomId, target.streamPos, "f", limit - beforeLimit, afterTo, filter, access.viewer);
    const last = after.kept[after.kept.length - 1] ?? target;
    const everyone = [...before.kept, target, ...after.kept];
    let state: StoredEvent[];
    if (filter.lazy_load_members) {
      state = await this.membersAt(last, [...new Set(everyone.map((e) => e.pdu.sender))]);
    } else {
      const map = await this.reader.fullStateAt(last.stateGroupAfter);
      state = await this.reader.eventsInOrder([...map.values()]);
    }
    state = state.filter((e) => roomEventFilterAllows(filter, { ...e.pdu, room_id: roomId }));
    const viewer = { userId: requester.userId, deviceId: requester.deviceId };
    const now = this.core.clock.now();
    for (const scan of [before, after]) for (const [id, membership] of scan.memberships) memberships.set(id, membership);
    const format = (events: StoredEvent[]) => formatEvents(this.reader.events, events, version, now, viewer, memberships, this.relations.aggregations);
    const [eventsBefore, event, eventsAfter, stateEvents] = await Promise.all([format(before.kept), format([target]), format(after.kept), format(state)]);
    return {
      // Tokens continue from the last row looked at, even when it was filtered out.
      start: formatRoomToken(before.next ?? lowestScanned(before.kept, target.streamPos - 1)),
      end: formatRoomToken(after.next ?? highestScanned(after.kept, target.streamPos)),
      events_before: eventsBefore,
      event: event[0],
      events_after: eventsAfter,
      state: stateEvents,
    };
  }

  /** One page in `dir`, refilling while filters and visibility hide events, up to MAX_SCAN rows. */
  private async scan(
    roomId: string,
    from: number,
    dir: "b" | "f",
    limit: number,
    to: number | undefined,
    filter: RoomEventFilter,
    viewer: Viewer,
  ): Promise<ScanResult> {
    const kept: StoredEvent[] = [];
    const memberships = new Map<string, string>();
    let cursor = from;
    let scanned = 0;
    if (limit === 0) return { kept, memberships, next: cursor };
    while (kept.length < limit) {
      const want = Math.min(limit - kept.length, MAX_SCAN - scanned);
      if (want <= 0) return { kept, memberships, next: cursor };
      const rows = await this.timeline.page(roomId, { from: cursor, dir, limit: want, to, filter: sqlFilterOf(filter) });
      scanned += rows.length;
      if (rows.length > 0) cursor = dir === "b" ? rows[rows.length - 1].streamPos - 1 : rows[rows.length - 1].streamPos;
      const allowed = rows.filter((e) => roomEventFilterAllows(filter, { ...e.pdu, room_id: roomId }));
      const matching = await this.relations.relatedBy.keep(roomId, allowed, filter);
      kept.push(...(await this.access.visibilityFilter.filter(matching, viewer, memberships)));
      if (rows.length < want) return { kept, memberships }; // the range is exhausted
    }
    return { kept, memberships, next: cursor };
  }

  private async membersAt(event: StoredEvent, userIds: string[]): Promise<StoredEvent[]> {
    const group = event.stateGroupAfter ?? event.stateGroupBefore;
    const found = (await this.reader.keysAt([group], userIds.map((u) => ["m.room.member", u] as const))).get(group)!;
    return this.reader.eventsInOrder([...found.values()]);
  }

  private parseToken(token: string, name: string): number {
    const position = parseRoomToken(token);
    if (position === undefined) throw errors.invalidParam(`Invalid ${name} token`);
    return position;
  }
}

export function roomIdOf(event: StoredEvent): string {
  return event.pdu.room_id ?? `!${event.pdu.event_id.slice(1)}`;
}

function lowestScanned(kept: StoredEvent[], fallback: number): number {
  return kept.length > 0 ? kept[kept.length - 1].streamPos - 1 : fallback;
}

function highestScanned(kept: StoredEvent[], fallback: number): number {
  return kept.length > 0 ? kept[kept.length - 1].streamPos : fallback;
}

import { formatSyncToken, STREAMS, type StreamName, type StreamPositions } from "../streams/sync-token.js";
import { LruCache } from "../core/lru-cache.js";
import { holdUntilSettled } from "../rooms/settling-promises.js";
import type { JoinedRoomJson, SyncResponse } from "../../schemas/client/sync/get-sync.js";
import type { SyncFilter } from "../core/filters.js";
import { contributed, type SyncStreamProvider, type SyncWindow } from "./providers/provider.js";
import { roomsInWindow } from "./rooms-in-window.js";
import type { SyncDeps, SyncScope } from "./sync-context.js";
import { membershipOf } from "./user-memberships.js";

/** Windows remembered at once: one per (filter, since, to) that recently woke a room's members. */
const ENTRIES = 1_000;
/** A response is handed out again only this soon after it was built, so its events' `age` stays about right. */
const REUSE_MS = 1_000;

interface SharedEntry {
  response: SyncResponse;
  roomId: string;
  /** The timeline's senders, with the membership event a lazy-loading client must already hold for each. */
  senders: ReadonlyMap<string, string | undefined>;
  builtAt: number;
}

/**
 * One message into a room wakes every member's sync with the same window (since, to], and for most of them
 * the response is the same bytes: that room's new events, nothing else. Building it costs a member about
 * 0.1 ms, so the last of 20 members waited 2 ms for the others' identical builds. This keeps the first such
 * response and hands it to every member in the same situation.
 *
 * "The same situation" is what makes the rest of a response per user, checked for both the member whose
 * build is kept and every member it is handed to:
 * - the events stream moved in the window; the other streams may have moved too (on a busy server they
 *   nearly always have), but none of it is for them: every per-user provider contributes nothing (its cheap
 *   check says so, or the same read the builder makes comes back empty), and a stream without a provider
 *   has not moved;
 * - no membership of theirs changed in it, they were joined to the room before it, and no other room of theirs
 *   has events in it;
 * - they sent none of its events (their own carry transaction_id), and the filter keeps event fields whole;
 * - the section has no state, summary, ephemeral or account data and is not limited, and with lazy-loading
 *   their device already holds each sender's membership.
 * - they ignore none of its senders, and the member whose build is kept ignores nobody (their timeline may lack
 *   events that others are sent).
 * Anything else is built as before. A new stream is checked here through its provider; a new per-user rule
 * within the timeline must be checked here too.
 */
export class SharedResponses {
  private readonly entries = new LruCache<string, SharedEntry>(ENTRIES);
  /** Builds under way, by window key: the members woken with the builder wait for it rather than build alongside. */
  private readonly building = new Map<string, Promise<void>>();
  private readonly filterIds = new WeakMap<SyncFilter, number>();
  private nextFilterId = 0;
  /** Streams whose changes in a window are checked per user; a move of any other keeps the window from being shared. */
  private readonly checkedStreams: ReadonlySet<StreamName>;
  private readonly perUser: readonly SyncStreamProvider[];

  constructor(
    private readonly deps: SyncDeps,
    providers: readonly SyncStreamProvider[],
  ) {
    this.checkedStreams = new Set(providers.map((p) => p.stream));
    this.perUser = providers.filter((p) => p.perUser);
  }

  /** The window's key, or undefined when no room events are new in it or a stream it cannot check moved. */
  keyOf(scope: SyncScope, since: StreamPositions | undefined, to: StreamPositions): string | undefined {
    if (!since || scope.initial || scope.fullState || scope.filter.eventFields !== undefined) return undefined;
    if (since.events >= to.events) return undefined;
    for (const stream of STREAMS) if (!this.checkedStreams.has(stream) && since[stream] !== to[stream]) return undefined;
    // Of `since`, only the events position: members' tokens differ in the other streams whenever anything moved
    // between their last syncs (someone came online), and what those streams hold for each member is checked per
    // member (onlyThisRoomMoved) before a response is kept or handed out.
    return `${this.filterId(scope.filter)}|${scope.useStateAfter ? 1 : 0}|${since.events}|${formatSyncToken(to)}`;
  }

  /** The build of `key`'s window under way, if a member claimed it; it settles once the response is offered. */
  buildUnderWay(key: string): Promise<void> | undefined {
    return this.building.get(key);
  }

  /**
   * Runs `build` as the build of `key`'s window that other members wait for. The claim is made before `build`
   * yields, so a member woken by the same commit who runs next already sees it.
   */
  claim<T>(key: string, build: () => Promise<T>): Promise<T> {
    const running = build();
    holdUntilSettled(this.building, key, running);
    return running;
  }

  /** The response kept for `key`, if this user is in the same situation as the one it was built for. */
  async reuse(key: string, scope: SyncScope, since: StreamPositions, to: StreamPositions): Promise<SyncResponse | undefined> {
    const entry = this.entries.get(key);
    if (!entry || scope.now - entry.builtAt > REUSE_MS || entry.senders.has(scope.userId)) return undefined;
    const ignored = await this.deps.reads.ignored.ignoredBy(scope.userId);
    for (const sender of entry.senders.keys()) if (ignored.has(sender)) return undefined;
    if (!(await this.onlyThisRoomMoved(scope, since, to, entry.roomId))) return undefined;
    if (dedupesMembers(scope.filter)) {
      for (const [sender, memberEventId] of entry.senders) {
        if (memberEventId === undefined || !this.deps.lazyMembers.wasSent(scope.userId, scope.deviceId, entry.roomId, sender, memberEventId)) return undefined;
      }
    }
    return await this.withOwnCounts(entry, scope, to);
  }

  /** The kept response with this member's own unread counts in the room's section (counts differ per member). */
  private async withOwnCounts(entry: SharedEntry, scope: SyncScope, to: StreamPositions): Promise<SyncResponse> {
    const parts = await this.deps.counts.forMember(scope.userId, entry.roomId, to, scope.filter.threadedCounts);
    const join = entry.response.rooms!.join!;
    return { ...entry.response, rooms: { ...entry.response.rooms, join: { ...join, [entry.roomId]: { ...join[entry.roomId], ...parts } } } };
  }

  /** Keeps a response just built for `key` when it is one that others in the same situation would get too. */
  async offer(key: string, scope: SyncScope, since: StreamPositions, to: StreamPositions, response: SyncResponse): Promise<void> {
    if (this.entries.has(key)) return;
    const section = soleJoinedSection(response);
    if (!section) return;
    const [roomId, room] = section;
    const senders = new Set<string>();
    for (const event of room.timeline.events) {
      if (event.state_key !== undefined || typeof event.sender !== "string") return;
      senders.add(event.sender);
    }
    if (senders.size === 0 || senders.has(scope.userId)) return;
    if ((await this.deps.reads.ignored.ignoredBy(scope.userId)).size > 0) return;
    if (!(await this.onlyThisRoomMoved(scope, since, to, roomId))) return;
    const memberEvents = dedupesMembers(scope.filter) ? await this.memberEventIds(roomId, since.events, to.events, senders) : new Map<string, string>();
    this.entries.set(key, {
      response,
      roomId,
      senders: new Map([...senders].map((sender) => [sender, memberEvents.get(sender)])),
      builtAt: scope.now,
    });
  }

  /**
   * Joined to `roomId` since before the window, no membership change in it, no other room of theirs moved, and
   * nothing else in it for them: no per-user provider contributes (the builder's own reads of the other streams).
   */
  private async onlyThisRoomMoved(scope: SyncScope, since: StreamPositions, to: StreamPositions, roomId: string): Promise<boolean> {
    const { index } = this.deps;
    const lower = since.events;
    if (index.membershipMayHaveChanged(scope.userId, lower)) return false;
    // The cheap checks first: news of this very user (their account data) rules the window out without a read.
    const window: SyncWindow = { scope, since, to };
    const news = this.perUser.map((provider) => provider.news(window));
    if (news.includes("user")) return false;
    const rooms = await roomsInWindow(this.deps, scope, since, to);
    const own = rooms.memberships.get(roomId);
    if (!own || membershipOf(own) !== "join" || own.streamPos > lower) return false;
    const moved = index.roomsWithEventsAfter(rooms.joined, lower);
    if (moved === undefined || moved.size !== 1 || !moved.has(roomId)) return false;
    for (const [i, provider] of this.perUser.entries()) {
      if (news[i] === "none") continue;
      if (!provider.collect || contributed(await provider.collect({ ...window, rooms }))) return false;
    }
    return true;
  }

  /** Each sender's membership in the state before the window's events (no state changed within it). */
  private async memberEventIds(roomId: string, lower: number, upper: number, senders: ReadonlySet<string>): Promise<Map<string, string>> {
    const { events } = await this.deps.timelineCache.between(roomId, lower, upper, 1);
    const group = events[0]?.stateGroupBefore ?? null;
    const found = (await this.deps.reads.reader.keysAt([group], [...senders].map((s) => ["m.room.member", s] as const))).get(group)!;
    const ids = new Map<string, string>();
    for (const sender of senders) {
      const id = found.get(`m.room.member\u0000${sender}`);
      if (id !== undefined) ids.set(sender, id);
    }
    return ids;
  }

  private filterId(filter: SyncFilter): number {
    let id = this.filterIds.get(filter);
    if (id === undefined) this.filterIds.set(filter, (id = this.nextFilterId++));
    return id;
  }
}

function dedupesMembers(filter: SyncFilter): boolean {
  return filter.lazyLoadMembers && !filter.includeRedundantMembers;
}

/** What a joined room section may hold; a new, possibly per-user part must be added here knowingly. */
const SECTION_PARTS = new Set(["summary", "state", "state_after", "timeline", "ephemeral", "account_data", "unread_notifications", "unread_thread_notifications"]);

/**
 * The response's only content, when it is one joined room with nothing but new timeline events. Its unread
 * counts are the builder's own; every member it is handed to gets theirs instead (withOwnCounts).
 */
function soleJoinedSection(response: SyncResponse): [string, JoinedRoomJson] | undefined {
  const { next_batch: _token, rooms, ...rest } = response;
  if (Object.keys(rest).length > 0 || !rooms?.join) return undefined;
  if (Object.keys(rooms).length !== 1) return undefined;
  const joined = Object.entries(rooms.join);
  if (joined.length !== 1) return undefined;
  const [, room] = joined[0];
  if (Object.keys(room).some((part) => !SECTION_PARTS.has(part))) return undefined;
  const state = room.state?.events ?? room.state_after?.events ?? [];
  const quiet =
    state.length === 0 &&
    (room.ephemeral?.events ?? []).length === 0 &&
    (room.account_data?.events ?? []).length === 0 &&
    Object.keys(room.summary ?? {}).length === 0 &&
    room.timeline?.limited === false;
  return quiet ? joined[0] : undefined;
}

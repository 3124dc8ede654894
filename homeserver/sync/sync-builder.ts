import { formatSyncToken, type StreamPositions } from "../streams/sync-token.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { BasicEventJson, SyncResponse } from "../../schemas/client/sync/get-sync.js";
import { eventFilterAllows, roomAllowed, roomListAllows } from "./filters.js";
import { inviteSection, knockSection } from "./invite-section.js";
import { joinedRoomSection, leftRoomSection } from "./joined-room-section.js";
import type { SyncDeps, SyncScope } from "./sync-context.js";
import { membershipBefore, membershipOf } from "./user-memberships.js";

type Rooms = NonNullable<SyncResponse["rooms"]>;

/** Room sections are built a few at a time: enough to overlap database round trips, not to flood the pool. */
const PARALLEL_ROOMS = 8;

/**
 * Builds one /sync response for the window (since, to], where `to` holds published positions. Used by the
 * long-poll route and, later, by the WebSocket transport: it reads only the streams, never data pushed by
 * the notifier. For an incremental sync it touches only rooms whose position moved, or whose membership or
 * account data changed.
 */
export class SyncBuilder {
  constructor(private readonly deps: SyncDeps) {}

  async build(scope: SyncScope, since: StreamPositions | undefined, to: StreamPositions): Promise<SyncResponse> {
    const { deps } = this;
    const { userId, filter } = scope;
    const lower = since?.events ?? 0;
    const upper = to.events;
    const [memberships, changes, accountData] = await Promise.all([
      deps.memberships.at(userId, upper),
      since ? deps.memberships.changesBetween(userId, lower, upper) : Promise.resolve([]),
      this.accountData(scope, since, to),
    ]);
    const changesByRoom = new Map<string, StoredEvent[]>();
    for (const change of changes) {
      const roomId = change.pdu.room_id ?? "";
      changesByRoom.set(roomId, [...(changesByRoom.get(roomId) ?? []), change]);
    }
    const inScope = [...memberships].filter(([roomId]) => roomAllowed(filter, roomId));
    const joinedIds = inScope.filter(([, e]) => membershipOf(e) === "join").map(([roomId]) => roomId);
    const incremental = since !== undefined && !scope.fullState;
    // Only rooms that could go into rooms.leave need the forgotten check (a query saved on most wake-ups).
    const departedIds = inScope
      .filter(([, e]) => ["leave", "ban"].includes(membershipOf(e)!) && (incremental ? e.streamPos > lower : filter.includeLeave))
      .map(([roomId]) => roomId);
    const window = { userId, since: since && !scope.fullState ? since : undefined, to };
    const [active, forgotten, ephemeral, presence] = await Promise.all([
      incremental ? this.roomsWithEvents(joinedIds, lower, upper) : Promise.resolve(new Set<string>()),
      departedIds.length > 0 ? deps.reads.currentState.forgottenRooms(userId, departedIds) : Promise.resolve(new Set<string>()),
      deps.ephemeral.forRooms(window, joinedIds, filter),
      deps.ephemeral.presenceFor(window, filter),
    ]);

    const rooms: Required<Rooms> = { join: {}, invite: {}, knock: {}, leave: {} };
    /** Incremental only: rooms the user joined in this window, whose members' presence the client now needs. */
    const newlyJoinedRooms: string[] = [];
    const tasks: Array<() => Promise<void>> = [];
    const roomAccountData = (roomId: string) => accountData.rooms.get(roomId) ?? [];
    for (const [roomId, event] of inScope) {
      const membership = membershipOf(event);
      const roomChanges = changesByRoom.get(roomId) ?? [];
      const changedInWindow = since !== undefined && event.streamPos > lower;
      if (membership === "join") {
        // Joined at `since` and never anything else since: the client already holds the room's state.
        const keptJoined = roomChanges.every((c) => membershipOf(c) === "join") && (roomChanges.length === 0 || membershipBefore(roomChanges[0]) === "join");
        const newlyJoined = since !== undefined && !keptJoined;
        if (newlyJoined && incremental) newlyJoinedRooms.push(roomId);
        const always = !incremental || newlyJoined;
        const roomEphemeral = ephemeral.get(roomId) ?? [];
        if (!always && !active.has(roomId) && roomAccountData(roomId).length === 0 && roomChanges.length === 0 && roomEphemeral.length === 0) continue;
        tasks.push(async () => {
          const section = await joinedRoomSection(deps, scope, {
            roomId,
            lower,
            upper,
            mode: incremental && !newlyJoined ? "delta" : "full",
            viewer: { userId, joinedFrom: event.streamPos, lastJoinPos: event.streamPos },
            accountData: roomAccountData(roomId),
            always,
            ephemeral: roomEphemeral,
          });
          if (section) rooms.join[roomId] = section;
        });
      } else if (membership === "invite" || membership === "knock") {
        if (incremental && !changedInWindow) continue;
        tasks.push(async () => {
          if (membership === "invite") rooms.invite[roomId] = await inviteSection(deps, event);
          else rooms.knock[roomId] = await knockSection(deps, event);
        });
      } else if (!forgotten.has(roomId)) {
        const previously = roomChanges.length > 0 ? membershipBefore(roomChanges[0]) : undefined;
        // Incremental: rooms the client still thought it was in. Otherwise only on request (include_leave).
        // A user who left before `since`, then rejoined (or was invited) and left again within the window,
        // was in the room in between: the room goes into rooms.leave too.
        const present = ["join", "invite", "knock"];
        const wasPresent = present.includes(previously ?? "") || roomChanges.some((c) => present.includes(membershipOf(c) ?? ""));
        const wanted = incremental ? changedInWindow && wasPresent : filter.includeLeave;
        if (!wanted) continue;
        tasks.push(async () => {
          const lastJoinPos = await deps.reads.timelineStore.lastJoinPos(roomId, userId, event.streamPos);
          const section = await leftRoomSection(deps, scope, {
            roomId,
            lower,
            upper: event.streamPos,
            mode: incremental && previously === "join" ? "delta" : "full",
            viewer: { userId, lastJoinPos },
            accountData: roomAccountData(roomId),
            always: true,
            neverJoined: lastJoinPos === undefined,
          });
          if (section) rooms.leave[roomId] = section;
        });
      }
    }
    await runLimited(tasks, PARALLEL_ROOMS);

    const response: SyncResponse = { next_batch: formatSyncToken(to) };
    const nonEmpty = Object.entries(rooms).filter(([, section]) => Object.keys(section).length > 0);
    if (nonEmpty.length > 0) response.rooms = Object.fromEntries(nonEmpty);
    if (accountData.global.length > 0) response.account_data = { events: accountData.global };
    if (incremental) presence.push(...(await this.newRoommatesPresence(scope, rooms.join, newlyJoinedRooms, presence)));
    if (presence.length > 0) response.presence = { events: presence };
    return response;
  }

  /**
   * As Synapse does: the current presence of users who joined one of the user's rooms in this window (their join
   * is in the room's timeline here), and of every member of a room the user joined in it, since a
   * presence change from before the shared room began was never sent to this user.
   */
  private newRoommatesPresence(scope: SyncScope, joined: Rooms["join"], newlyJoinedRooms: string[], shown: BasicEventJson[]): Promise<BasicEventJson[]> {
    const joiners = new Set<string>();
    for (const section of Object.values(joined ?? {})) {
      // The timeline only: the state section also carries lazy-loaded members who joined long ago.
      for (const event of section.timeline?.events ?? []) {
        if (event.type !== "m.room.member" || typeof event.state_key !== "string" || event.state_key === scope.userId) continue;
        const content = event.content as { membership?: unknown };
        const before = (event.unsigned as { prev_content?: { membership?: unknown } } | undefined)?.prev_content?.membership;
        if (content.membership === "join" && before !== "join") joiners.add(event.state_key);
      }
    }
    if (joiners.size === 0 && newlyJoinedRooms.length === 0) return Promise.resolve([]);
    return this.deps.ephemeral.newRoommatesPresence(scope.userId, [...joiners], newlyJoinedRooms, scope.filter, shown);
  }

  private async roomsWithEvents(roomIds: string[], lower: number, upper: number): Promise<Set<string>> {
    const known = this.deps.index.roomsWithEventsAfter(roomIds, lower);
    if (known) return known;
    return this.deps.reads.reader.events.roomsWithEventsBetween(roomIds, lower, upper);
  }

  private async accountData(scope: SyncScope, since: StreamPositions | undefined, to: StreamPositions) {
    const empty = { global: [] as BasicEventJson[], rooms: new Map<string, BasicEventJson[]>() };
    const from = since?.accountData ?? 0;
    if (since && !this.deps.index.accountDataMayHaveChanged(scope.userId, from)) return empty;
    if (from >= to.accountData) return empty;
    const changes = await this.deps.users.accountData.changesSince(scope.userId, from, to.accountData);
    const { accountData: globalFilter, roomAccountData: roomFilter } = scope.filter;
    const rooms = new Map<string, BasicEventJson[]>();
    for (const [roomId, events] of changes.rooms) {
      if (!roomListAllows(roomFilter.rooms, roomFilter.not_rooms, roomId)) continue;
      const kept = events.filter((e) => eventFilterAllows(roomFilter, { type: e.type }));
      if (kept.length > 0) rooms.set(roomId, kept);
    }
    return { global: changes.global.filter((e) => eventFilterAllows(globalFilter, { type: e.type })), rooms };
  }
}

/** True when the response carries anything beyond its token: a long-poll keeps waiting otherwise. */
export function hasContent(response: SyncResponse): boolean {
  return response.rooms !== undefined || response.account_data !== undefined || response.presence !== undefined;
}

async function runLimited(tasks: Array<() => Promise<void>>, parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
}

import type { SyncResponse } from "../../../schemas/client/sync/get-sync.js";
import { inviteSection, knockSection } from "../invite-section.js";
import { joinedRoomSection, leftRoomSection } from "../joined-room-section.js";
import type { SyncDeps } from "../sync-context.js";
import { membershipBefore, membershipOf } from "../user-memberships.js";
import { NOTHING, type StreamContribution, type SyncDraft, type SyncRequest, type SyncStreamProvider, type SyncWindow, type WindowNews } from "./provider.js";

type Rooms = NonNullable<SyncResponse["rooms"]>;

/** Room sections are built a few at a time: enough to overlap database round trips, not to flood the pool. */
const PARALLEL_ROOMS = 8;

/**
 * The events stream: the `rooms` sections (timeline, state, summary; invites, knocks and left rooms). For an
 * incremental sync it touches only rooms whose position moved, whose membership changed, or to which another
 * stream brought something (account data, receipts, typing); those parts go into the sections the builder
 * receives from here. It runs in the second pass, once the others' room parts are known.
 */
export class TimelineProvider implements SyncStreamProvider {
  readonly stream = "events";
  readonly perUser = false;

  constructor(private readonly deps: SyncDeps) {}

  news({ since, to }: SyncWindow): WindowNews {
    return since === undefined || since.events < to.events ? "stream" : "none";
  }

  async complete(request: SyncRequest, draft: SyncDraft): Promise<StreamContribution> {
    const { deps } = this;
    const { scope, since, to, rooms: userRooms } = request;
    const { userId, filter } = scope;
    const lower = since?.events ?? 0;
    const upper = to.events;
    const incremental = since !== undefined && !scope.fullState;
    const inScope = [...userRooms.memberships];
    // Only rooms that could go into rooms.leave need the forgotten check (a query saved on most wake-ups).
    const departedIds = inScope
      .filter(([, e]) => ["leave", "ban"].includes(membershipOf(e)!) && (incremental ? e.streamPos > lower : filter.includeLeave))
      .map(([roomId]) => roomId);
    const [active, forgotten] = await Promise.all([
      incremental ? this.roomsWithEvents(userRooms.joined, lower, upper) : Promise.resolve(new Set<string>()),
      departedIds.length > 0 ? deps.reads.currentState.forgottenRooms(userId, departedIds) : Promise.resolve(new Set<string>()),
    ]);

    const rooms: Required<Rooms> = { join: {}, invite: {}, knock: {}, leave: {} };
    const tasks: Array<() => Promise<void>> = [];
    for (const [roomId, event] of inScope) {
      const membership = membershipOf(event);
      const roomChanges = userRooms.changes.get(roomId) ?? [];
      const changedInWindow = since !== undefined && event.streamPos > lower;
      const otherNews = draft.roomParts.has(roomId);
      if (membership === "join") {
        const newlyJoined = userRooms.newlyJoined.has(roomId);
        const always = !incremental || newlyJoined;
        if (!always && !active.has(roomId) && !otherNews && roomChanges.length === 0) continue;
        tasks.push(async () => {
          const section = await joinedRoomSection(deps, scope, {
            roomId,
            // A room joined in the window comes as in an initial sync: its latest events, history visibility
            // permitting, rather than only what happened since the token (Synapse does so; a client then shows
            // the room's recent messages at once, and its last message in the room list).
            lower: newlyJoined && incremental ? 0 : lower,
            upper,
            mode: incremental && !newlyJoined ? "delta" : "full",
            viewer: { userId, joinedFrom: event.streamPos, lastJoinPos: event.streamPos },
            otherNews,
            always,
          });
          if (section) rooms.join[roomId] = section;
        });
      } else if (membership === "invite" || membership === "knock") {
        if (incremental && !changedInWindow) continue;
        tasks.push(async () => {
          if (membership === "invite") {
            // The spec: invites from users the invitee ignores are not sent to them.
            if (!(await deps.reads.ignored.ignoredBy(userId)).has(event.pdu.sender)) rooms.invite[roomId] = await inviteSection(deps, event);
          }
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
            otherNews,
            always: true,
            neverJoined: lastJoinPos === undefined,
          });
          if (section) rooms.leave[roomId] = section;
        });
      }
    }
    await runLimited(tasks, PARALLEL_ROOMS);
    const nonEmpty = Object.entries(rooms).filter(([, section]) => Object.keys(section).length > 0);
    return nonEmpty.length > 0 ? { top: { rooms: Object.fromEntries(nonEmpty) } } : NOTHING;
  }

  private async roomsWithEvents(roomIds: readonly string[], lower: number, upper: number): Promise<Set<string>> {
    const known = this.deps.index.roomsWithEventsAfter(roomIds, lower);
    if (known) return known;
    return this.deps.reads.reader.events.roomsWithEventsBetween([...roomIds], lower, upper);
  }
}

async function runLimited(tasks: Array<() => Promise<void>>, parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
}

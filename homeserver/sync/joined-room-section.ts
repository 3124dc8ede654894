import { formatRoomToken } from "../streams/sync-token.js";
import type { Viewer } from "../rooms/history-visibility.js";
import type { BasicEventJson, JoinedRoomJson, LeftRoomJson, RoomStateJson, RoomSummaryJson } from "../../schemas/client/sync/get-sync.js";
import { stateSection } from "./room-state-section.js";
import { affectsSummary, roomSummary } from "./summary.js";
import { formatForSync, type SyncDeps, type SyncScope } from "./sync-context.js";
import { loadTimeline } from "./timeline-loader.js";

export interface RoomSectionRequest {
  roomId: string;
  /** The timeline covers lower < stream_pos <= upper. */
  lower: number;
  upper: number;
  /** "full" state (initial, full_state, newly joined) or the "delta" since `lower`. */
  mode: "full" | "delta";
  viewer: Viewer;
  /** Another stream has a part for the room (account data, receipts, typing): reason enough to send it. */
  otherNews: boolean;
  /** Send the room even when nothing changed (initial sync, full_state, a membership change). */
  always: boolean;
}

/** Timeline and state shared by joined and left rooms; undefined when there is nothing to send. */
async function roomBody(deps: SyncDeps, scope: SyncScope, request: RoomSectionRequest, withSummary: boolean, withState = true) {
  const { roomId } = request;
  const timeline = await loadTimeline(deps.timelineCache, deps.reads.visibility, {
    relatedBy: deps.reads.relatedBy,
    roomId,
    lower: request.lower,
    upper: request.upper,
    limit: scope.filter.timelineLimit,
    filter: scope.filter.timeline,
    viewer: request.viewer,
  });
  const quiet = timeline.events.length === 0 && !timeline.limited && !request.otherNews;
  if (quiet && !request.always) return undefined;

  // The summary is computed first so that, when lazy-loading, its heroes' memberships go into `state`.
  let summary: RoomSummaryJson = {};
  // A gap may hide membership changes that the state section will then carry.
  const summaryFirst = withSummary && (request.mode === "full" || timeline.limited || affectsSummary(timeline.events));
  if (summaryFirst) summary = await roomSummary(deps.reads.currentState, deps.reads.reader, roomId, scope.userId);
  const state = withState
    ? await stateSection(deps, scope, {
        roomId,
        timeline: timeline.events,
        upper: request.upper,
        mode: request.mode,
        since: request.lower,
        limited: timeline.limited,
        extraMembers: summary["m.heroes"],
      })
    : [];
  if (withSummary && !summaryFirst && affectsSummary(state)) {
    summary = await roomSummary(deps.reads.currentState, deps.reads.reader, roomId, scope.userId);
  }
  const [timelineEvents, stateEvents] = await Promise.all([
    formatForSync(deps, scope, roomId, timeline.events, timeline.memberships, timeline.limited),
    formatForSync(deps, scope, roomId, state),
  ]);
  return {
    summary,
    state: { [scope.useStateAfter ? "state_after" : "state"]: { events: stateEvents } } as RoomStateJson,
    timeline: { events: timelineEvents, limited: timeline.limited, prev_batch: formatRoomToken(timeline.prevBatch) },
  };
}

/** The parts other streams fill in (the builder puts their providers' parts in these places, keeping the key order). */
const noEvents = () => ({ events: [] as BasicEventJson[] });

export async function joinedRoomSection(deps: SyncDeps, scope: SyncScope, request: RoomSectionRequest): Promise<JoinedRoomJson | undefined> {
  const body = await roomBody(deps, scope, request, true);
  if (!body) return undefined;
  return {
    summary: body.summary,
    ...body.state,
    timeline: body.timeline,
    ephemeral: noEvents(),
    account_data: noEvents(),
    unread_notifications: {},
    ...(scope.filter.threadedCounts ? { unread_thread_notifications: {} } : {}),
  };
}

/** A room the user left or was removed from: its timeline ends at their membership change. */
export async function leftRoomSection(deps: SyncDeps, scope: SyncScope, request: RoomSectionRequest & { neverJoined: boolean }): Promise<LeftRoomJson | undefined> {
  // A user who was only ever invited sees no room state beyond what their invite carried.
  const body = await roomBody(deps, scope, { ...request, always: true }, false, !request.neverJoined);
  if (!body) return undefined;
  return { ...body.state, timeline: body.timeline, account_data: noEvents() };
}

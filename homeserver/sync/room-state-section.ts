import { stateKeyOf } from "../events/pdu.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import { splitKey, type StateMap } from "../storage/stores/state-store.js";
import { roomEventFilterAllows } from "../core/filters.js";
import type { SyncDeps, SyncScope } from "./sync-context.js";

export interface StateSectionRequest {
  roomId: string;
  /** Oldest first. */
  timeline: readonly StoredEvent[];
  /** End of the range the timeline came from (the timeline may end earlier when filters hid events). */
  upper: number;
  /**
   * "full": all state up to the start (or end) of the timeline (initial sync, full_state, a newly joined
   * room); "delta": what changed since `since`.
   */
  mode: "full" | "delta";
  since: number;
  limited: boolean;
  /** Members whose membership must be sent when lazy-loading (heroes of the summary). */
  extraMembers?: readonly string[];
}

/** How many events of a window are read through the recent-events cache to find its state changes. */
const STATE_SCAN = 200;

/**
 * The `state` of a room section as the spec defines it: the state at the start of the timeline, or what
 * changed between `since` and that start (only possible when the timeline skipped a gap). With
 * use_state_after it is `state_after` instead: the state at the end of the timeline, or every change
 * between `since` and that end. With lazy_load_members only the memberships needed to show the timeline
 * are sent (once per device unless include_redundant_members). Only a client asking for full state
 * without lazy-loading makes us read a whole member list.
 */
export async function stateSection(deps: SyncDeps, scope: SyncScope, request: StateSectionRequest): Promise<StoredEvent[]> {
  const { reader } = deps.reads;
  const { roomId, timeline, mode } = request;
  const after = scope.useStateAfter;
  const lazy = scope.filter.lazyLoadMembers;
  const group = after ? await groupAfter(deps, roomId, request.upper) : await groupBefore(deps, roomId, timeline, request.upper);
  const needed = membersNeeded(timeline, after, request.extraMembers ?? []);

  let state: StateMap;
  const changed = new Set<string>();
  if (mode === "full") {
    if (lazy) {
      needed.add(scope.userId); // clients need their own membership to know they are in the room
      state = await reader.selectAt(group, { typesExcept: ["m.room.member"], keys: memberKeys(needed) });
    } else {
      state = await reader.fullStateAt(group);
    }
  } else {
    state = new Map();
    // `state` covers a skipped gap only; `state_after` every change in the window, the timeline's included.
    const changes = after ? await changedKeys(deps, roomId, request.since, request.upper + 1) : request.limited ? await changedKeys(deps, roomId, request.since, timeline[0]?.streamPos ?? request.upper + 1) : [];
    // Member changes are sent even when lazy-loading, as Synapse does for gappy syncs.
    const found = (await reader.keysAt([group], changes)).get(group)!;
    for (const [key, eventId] of found) {
      state.set(key, eventId);
      changed.add(key);
    }
    if (lazy && needed.size > 0) {
      const members = (await reader.keysAt([group], memberKeys(needed))).get(group)!;
      for (const [key, eventId] of members) if (!state.has(key)) state.set(key, eventId);
    }
  }

  const dedupe = lazy && !scope.filter.includeRedundantMembers;
  const device = [scope.userId, scope.deviceId, roomId] as const;
  if (dedupe) {
    // By id, before reading the events: a woken syncer whose device has every membership reads nothing.
    for (const [key, eventId] of state) {
      const [type, member] = splitKey(key);
      if (type === "m.room.member" && !changed.has(key) && deps.lazyMembers.wasSent(...device, member, eventId)) state.delete(key);
    }
  }
  const events = (await reader.eventsInOrder([...state.values()])).filter((e) => roomEventFilterAllows(scope.filter.state, { ...e.pdu, room_id: roomId }));
  if (dedupe) {
    for (const event of [...events, ...timeline]) {
      if (event.pdu.type === "m.room.member") deps.lazyMembers.markSent(...device, event.pdu.state_key!, event.pdu.event_id);
    }
  }
  return events;
}

/**
 * Senders whose membership the client needs to render the timeline. For `state`, a sender whose
 * membership event comes earlier in the same timeline is covered by it; `state_after` replaces the
 * timeline's state, so it always needs them.
 */
function membersNeeded(timeline: readonly StoredEvent[], after: boolean, extra: readonly string[]): Set<string> {
  const needed = new Set<string>(extra);
  const seenInTimeline = new Set<string>();
  for (const event of timeline) {
    if (after || !seenInTimeline.has(event.pdu.sender)) needed.add(event.pdu.sender);
    if (event.pdu.type === "m.room.member" && typeof event.pdu.state_key === "string") seenInTimeline.add(event.pdu.state_key);
  }
  return needed;
}

function memberKeys(userIds: Iterable<string>) {
  return [...userIds].map((u) => ["m.room.member", u] as const);
}

/** (type, state_key) of state events with since < stream_pos < before, through the recent-events cache when it can. */
async function changedKeys(deps: SyncDeps, roomId: string, since: number, before: number): Promise<Array<readonly [string, string]>> {
  if (before - since <= 1) return [];
  const recent = await deps.timelineCache.between(roomId, since, before - 1, STATE_SCAN);
  const events = recent.limited ? await deps.reads.timelineStore.stateChangesBetween(roomId, since, before) : recent.events;
  const keys = new Map<string, readonly [string, string]>();
  for (const event of events) {
    const [type, stateKey] = "pdu" in event ? [event.pdu.type, event.pdu.state_key] : [event.type, event.stateKey];
    if (typeof stateKey === "string") keys.set(stateKeyOf(type, stateKey), [type, stateKey]);
  }
  return [...keys.values()];
}

/** The state group holding the state just before the timeline (after the range's last event if it is empty). */
async function groupBefore(deps: SyncDeps, roomId: string, timeline: readonly StoredEvent[], upper: number): Promise<number | null> {
  if (timeline.length > 0) return timeline[0].stateGroupBefore;
  return groupAfter(deps, roomId, upper);
}

/** The state group after the last event at or before `upper`: the state at the end of the timeline's range. */
async function groupAfter(deps: SyncDeps, roomId: string, upper: number): Promise<number | null> {
  const { events } = await deps.timelineCache.between(roomId, 0, upper, 1);
  return events[0]?.stateGroupAfter ?? null;
}

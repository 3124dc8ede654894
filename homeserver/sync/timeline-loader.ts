import type { StoredEvent } from "../storage/stores/events-store.js";
import type { VisibilityFilter, Viewer } from "../rooms/history-visibility.js";
import { roomEventFilterAllows, type RoomEventFilter } from "../core/filters.js";
import type { RoomTimelineCache } from "./room-timeline-cache.js";
import type { RelatedByFilter } from "../rooms/relations/related-by-filter.js";

export interface LoadedTimeline {
  /** Oldest first. */
  events: StoredEvent[];
  /** True when the range holds deliverable events before the first one returned. */
  limited: boolean;
  /** /messages dir=b from this position returns what precedes `events`. */
  prevBatch: number;
  /** The viewer's membership at each event, for unsigned.membership. */
  memberships: Map<string, string>;
}

/** Filters and visibility can hide events; each extra round reads a bigger batch further back, this many times. */
const MAX_ROUNDS = 4;

/**
 * The timeline of one room for one sync: the newest `limit` events with lower < stream_pos <= upper that
 * pass the timeline filter and history visibility. Each event of the range is either returned or, when
 * `limited`, reachable by paginating back from `prevBatch`, so consecutive syncs deliver it exactly once.
 */
export async function loadTimeline(
  cache: RoomTimelineCache,
  visibility: VisibilityFilter,
  request: {
    roomId: string;
    lower: number;
    upper: number;
    limit: number;
    filter: RoomEventFilter;
    viewer: Viewer;
    /** The filter's related_by_* fields, which need the events' children (no query when the filter has neither). */
    relatedBy?: RelatedByFilter;
  },
): Promise<LoadedTimeline> {
  const { roomId, lower, limit, filter, viewer } = request;
  if (limit === 0) {
    const { limited } = await cache.between(roomId, lower, request.upper, 0);
    return { events: [], limited, prevBatch: request.upper, memberships: new Map() };
  }
  const memberships = new Map<string, string>();
  let upper = request.upper;
  let collected: StoredEvent[] = [];
  let batch = limit;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { events, limited } = await cache.between(roomId, lower, upper, batch);
    const allowed = events.filter((e) => roomEventFilterAllows(filter, { ...e.pdu, room_id: roomId }));
    const matching = request.relatedBy ? await request.relatedBy.keep(roomId, allowed, filter) : allowed;
    collected = [...(await visibility.filter(matching, viewer, memberships)), ...collected];
    if (collected.length >= limit) {
      const kept = collected.slice(collected.length - limit);
      const trimmed = kept.length < collected.length;
      return { events: kept, limited: trimmed || limited, prevBatch: kept[0].streamPos - 1, memberships };
    }
    if (!limited) {
      // The whole range was read: nothing more to reach by pagination inside it.
      return { events: collected, limited: false, prevBatch: collected.length > 0 ? collected[0].streamPos - 1 : lower, memberships };
    }
    upper = events[0].streamPos - 1;
    batch *= 2;
  }
  // Gave up scanning further back; what is below `upper` stays reachable through prev_batch.
  return { events: collected, limited: true, prevBatch: collected.length > 0 ? collected[0].streamPos - 1 : upper, memberships };
}

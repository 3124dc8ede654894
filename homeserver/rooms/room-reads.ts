import type { CoreContext } from "../core/core-context.js";
import type { CurrentStateReadsStore } from "../storage/stores/current-state-reads-store.js";
import type { Stores } from "../storage/stores/stores.js";
import type { TimelineStore } from "../storage/stores/timeline-store.js";
import { VisibilityFilter } from "./history-visibility.js";
import { BundledAggregations } from "./relations/bundled-aggregations.js";
import { RelatedByFilter } from "./relations/related-by-filter.js";
import { RelationReads } from "./relations/relation-reads.js";
import { RoomAccessChecker } from "./room-access.js";
import { RoomStateReader } from "./room-state-reader.js";
import { StateReads } from "./state-reads.js";
import { TimelineReads } from "./timeline-reads.js";
import { TimestampLookup } from "./timestamp/timestamp-lookup.js";
import { SearchService } from "./search/search-service.js";
import type { IgnoredUsersSource } from "../users/ignored/ignored-users.js";

/** The read side of rooms, shared by the read endpoints and sync (one set of caches per process). */
export interface RoomReads {
  reader: RoomStateReader;
  visibility: VisibilityFilter;
  access: RoomAccessChecker;
  timelineStore: TimelineStore;
  currentState: CurrentStateReadsStore;
  /** /messages and /context. */
  timeline: TimelineReads;
  /** /event, /state, /members, /joined_members, /joined_rooms. */
  state: StateReads;
  /** /relations and /threads. */
  relations: RelationReads;
  /** unsigned["m.relations"] of the events the read paths return (sync's limited timelines included). */
  aggregations: BundledAggregations;
  /** The filters' related_by_rel_types and related_by_senders. */
  relatedBy: RelatedByFilter;
  /** /timestamp_to_event, for clients and for other servers. */
  timestamps: TimestampLookup;
  /** POST /search. */
  search: SearchService;
  /** Whom each reader ignores: the visibility filter applies it; sync's shared responses check it. */
  ignored: IgnoredUsersSource;
}

export function createRoomReads(core: CoreContext, stores: Stores, ignored: IgnoredUsersSource): RoomReads {
  const reader = new RoomStateReader(stores);
  const visibility = new VisibilityFilter(reader, ignored);
  const timelineStore = stores.timeline;
  const currentState = stores.currentState;
  const access = new RoomAccessChecker(currentState, timelineStore, reader, visibility);
  const aggregations = new BundledAggregations(stores.relations, ignored, access);
  const relatedBy = new RelatedByFilter(stores.relations);
  return {
    reader,
    visibility,
    access,
    timelineStore,
    currentState,
    timeline: new TimelineReads(core, timelineStore, reader, access, { aggregations, relatedBy }),
    state: new StateReads(core, currentState, reader, access, aggregations),
    relations: new RelationReads(core, stores.relations, reader, access, aggregations),
    aggregations,
    relatedBy,
    timestamps: new TimestampLookup(stores.timestamps, access),
    search: new SearchService({ core, store: stores.eventSearch, timeline: timelineStore, reader, visibility, currentState, aggregations }),
    ignored,
  };
}

import type { CoreContext } from "../core/core-context.js";
import type { CurrentStateReadsStore } from "../storage/stores/current-state-reads-store.js";
import type { Stores } from "../storage/stores/stores.js";
import type { TimelineStore } from "../storage/stores/timeline-store.js";
import { VisibilityFilter } from "./history-visibility.js";
import { RoomAccessChecker } from "./room-access.js";
import { RoomStateReader } from "./room-state-reader.js";
import { StateReads } from "./state-reads.js";
import { TimelineReads } from "./timeline-reads.js";

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
}

export function createRoomReads(core: CoreContext, stores: Stores): RoomReads {
  const reader = new RoomStateReader(stores);
  const visibility = new VisibilityFilter(reader);
  const timelineStore = stores.timeline;
  const currentState = stores.currentState;
  const access = new RoomAccessChecker(currentState, timelineStore, reader, visibility);
  return {
    reader,
    visibility,
    access,
    timelineStore,
    currentState,
    timeline: new TimelineReads(core, timelineStore, reader, access),
    state: new StateReads(core, currentState, reader, access),
  };
}

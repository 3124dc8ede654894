import type { StreamPositions } from "../streams/sync-token.js";
import type { DeviceListsStore } from "../storage/stores/device-lists-store.js";
import type { CoreContext } from "../core/core-context.js";
import type { RoomReads } from "../rooms/room-reads.js";
import { formatEvents } from "../rooms/read-formatting.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import type { UserServices } from "../users/index.js";
import type { SyncEventJson } from "../../schemas/client/sync/get-sync.js";
import { applyEventFields, type SyncFilter } from "../core/filters.js";
import type { LazyMembersCache } from "./lazy-members.js";
import type { RoomTimelineCache } from "./room-timeline-cache.js";
import type { StreamIndex } from "./stream-index.js";
import type { UserMemberships } from "./user-memberships.js";
import type { PresenceSyncSource } from "../edus/sync-sources.js";
import type { NotificationCounts } from "./notification-counts.js";
import type { ToDeviceService } from "../users/to-device/to-device-service.js";

/** What the sync builder and its sections use; built once per process. */
export interface SyncDeps {
  core: CoreContext;
  reads: RoomReads;
  users: Pick<UserServices, "accountData" | "filters" | "pushRules"> & {
    /** The syncing device's one-time key counts and unused fallback key types, in every response. */
    e2eKeys: Pick<UserServices["e2eKeys"], "keyCounts">;
  };
  timelineCache: RoomTimelineCache;
  memberships: UserMemberships;
  index: StreamIndex;
  lazyMembers: LazyMembersCache;
  /** A sync request keeps its user present (or sets the client's set_presence). */
  presence: Pick<PresenceSyncSource, "syncing">;
  /** Unread notification counts per joined room. */
  counts: NotificationCounts;
  /** The syncing device's to-device queue (to_device). */
  toDevice: Pick<ToDeviceService, "deliver">;
  /** Device list changes and who began or stopped sharing a room (device_lists). */
  deviceLists: DeviceListsStore;
}

/** One sync request's fixed facts. */
export interface SyncScope {
  userId: string;
  deviceId: string;
  filter: SyncFilter;
  /** No `since`: everything is sent as new. */
  initial: boolean;
  fullState: boolean;
  /** use_state_after: send `state_after` (state at the end of the timeline) instead of `state`. */
  useStateAfter: boolean;
  now: number;
  /** What the client confirmed receiving, when behind `since` (SyncOptions.acknowledged); else `since` is. */
  acknowledged?: StreamPositions;
}

/**
 * ClientEventWithoutRoomID, trimmed to the filter's event_fields. `withAggregations` adds bundled aggregations,
 * which the spec asks of a timeline that is `limited` (a client that saw the whole range aggregates itself).
 */
export async function formatForSync(
  deps: SyncDeps,
  scope: SyncScope,
  roomId: string,
  events: readonly StoredEvent[],
  memberships?: ReadonlyMap<string, string>,
  withAggregations = false,
): Promise<SyncEventJson[]> {
  if (events.length === 0) return [];
  const version = await deps.reads.reader.roomVersion(roomId);
  if (!version) return [];
  const viewer = { userId: scope.userId, deviceId: scope.deviceId };
  const aggregations = withAggregations ? deps.reads.aggregations : undefined;
  const formatted = await formatEvents(deps.reads.reader.events, events, version, scope.now, viewer, memberships, aggregations);
  return formatted.map(({ room_id: _roomId, ...event }) => applyEventFields(event, scope.filter.eventFields));
}

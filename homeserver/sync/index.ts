import type { DeviceListsStore } from "../storage/stores/device-lists-store.js";
import type { CoreContext } from "../core/core-context.js";
import type { EduSyncSources } from "../edus/sync-sources.js";
import type { RoomReads } from "../rooms/room-reads.js";
import type { Requester } from "../users/requester.js";
import type { UserServices } from "../users/index.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import { LazyMembersCache } from "./lazy-members.js";
import { syncStreamProviders } from "./providers/stream-providers.js";
import { RoomTimelineCache } from "./room-timeline-cache.js";
import { StreamIndex } from "./stream-index.js";
import { SyncBuilder } from "./sync-builder.js";
import type { SyncDeps } from "./sync-context.js";
import { SyncService, type SyncOptions } from "./sync-service.js";
import { UserMemberships } from "./user-memberships.js";
import { NotificationCounts } from "./notification-counts.js";
import type { PushActionsStore } from "../storage/stores/push-actions-store.js";
import { SyncingDevices, type LiveDevices } from "./live-devices.js";

export type { SyncOptions } from "./sync-service.js";
export type { SyncResponse } from "../../schemas/client/sync/get-sync.js";

export interface SyncServices {
  /** GET /sync: initial, incremental and long-poll; transports (long-poll, WebSocket) share this. */
  sync(requester: Requester, options?: SyncOptions): Promise<SyncResponse>;
  /** The builder for one window (since, to], for transports that manage waiting themselves. */
  builder: SyncBuilder;
  service: SyncService;
  /** Devices that sync is serving now (a long-poll or sync socket open, or a long-poll just ended), for the pushers. */
  liveDevices: LiveDevices;
}

export interface SyncInputs {
  users: Pick<UserServices, "accountData" | "filters" | "pushRules" | "e2eKeys" | "toDevice">;
  /** The read side of rooms, shared with the EDU services. */
  reads: RoomReads;
  /** The EDU streams sync reads (receipts, typing, presence). */
  edus: EduSyncSources;
  /** Who each event notified, for the unread counts. */
  pushActions: Pick<PushActionsStore, "counts" | "countsOfRoomMembers">;
  deviceLists: DeviceListsStore;
}

export function createSyncServices(core: CoreContext, { users, reads, edus, pushActions, deviceLists }: SyncInputs): SyncServices {
  const index = new StreamIndex(core.notifier, { events: core.streams.events.current, accountData: core.streams.accountData.current, toDevice: core.streams.toDevice.current });
  const deps: SyncDeps = {
    core,
    reads,
    users,
    timelineCache: new RoomTimelineCache(reads.reader.events, { notifier: core.notifier, published: core.streams.events.current }),
    memberships: new UserMemberships(reads.reader.events, reads.timelineStore, index),
    index,
    lazyMembers: new LazyMembersCache(),
    presence: edus.presence,
    counts: new NotificationCounts(pushActions, core.serverName),
    toDevice: users.toDevice,
    deviceLists,
  };
  const builder = new SyncBuilder(deps, syncStreamProviders(deps, edus));
  const liveDevices = new SyncingDevices(core.clock);
  const service = new SyncService(deps, builder, liveDevices);
  return {
    sync: (requester, options) => service.sync(requester, options),
    builder,
    service,
    liveDevices,
  };
}

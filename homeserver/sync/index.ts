import type { CoreContext } from "../app/core-context.js";
import { createRoomReads, type RoomReads } from "../rooms/room-reads.js";
import type { Requester } from "../users/requester.js";
import type { UserServices } from "../users/index.js";
import type { SyncResponse } from "../../schemas/client/sync/get-sync.js";
import { LazyMembersCache } from "./lazy-members.js";
import { RoomTimelineCache } from "./room-timeline-cache.js";
import { StreamIndex } from "./stream-index.js";
import { SyncBuilder } from "./sync-builder.js";
import type { SyncDeps } from "./sync-context.js";
import { SyncService, type SyncOptions } from "./sync-service.js";
import { UserMemberships } from "./user-memberships.js";
import { EphemeralSources } from "./ephemeral-sources.js";

export type { SyncOptions } from "./sync-service.js";
export type { SyncResponse } from "../../schemas/client/sync/get-sync.js";

export interface SyncServices {
  /** GET /sync: initial, incremental and long-poll; transports (long-poll, WebSocket) share this. */
  sync(requester: Requester, options?: SyncOptions): Promise<SyncResponse>;
  /**
   * The read side of rooms (/messages, /context, /event, /state, /members, /joined_members, /joined_rooms),
   * here because it shares sync's state and visibility caches.
   */
  reads: RoomReads;
  /** The builder for one window (since, to], for transports that manage waiting themselves. */
  builder: SyncBuilder;
  service: SyncService;
  /** Where receipts, typing and presence plug into sync. */
  ephemeral: EphemeralSources;
}

export function createSyncServices(core: CoreContext, users: Pick<UserServices, "accountData" | "filters">): SyncServices {
  const reads = createRoomReads(core);
  const index = new StreamIndex(core.notifier, { events: core.streams.events.current, accountData: core.streams.accountData.current });
  const deps: SyncDeps = {
    core,
    reads,
    users,
    timelineCache: new RoomTimelineCache(reads.reader.events, { notifier: core.notifier, published: core.streams.events.current }),
    memberships: new UserMemberships(reads.reader.events, reads.timelineStore, index),
    index,
    lazyMembers: new LazyMembersCache(),
    ephemeral: new EphemeralSources(),
  };
  const builder = new SyncBuilder(deps);
  const service = new SyncService(deps, builder);
  return {
    sync: (requester, options) => service.sync(requester, options),
    reads,
    builder,
    service,
    ephemeral: deps.ephemeral,
  };
}

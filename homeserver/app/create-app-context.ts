import { sql } from "kysely";
import type { Database } from "../storage/database.js";
import type { SigningKey } from "../crypto/signing-key.js";
import { Notifier } from "../streams/notifier.js";
import { OrderedPublisher } from "../streams/ordered-publisher.js";
import { createUserServices, type UserHooks } from "../users/index.js";
import { createRoomServices } from "../rooms/index.js";
import { createStores } from "../storage/stores/stores.js";
import { createRoomReads } from "../rooms/room-reads.js";
import { createSyncServices } from "../sync/index.js";
import type { AppContext } from "./app-context.js";
import type { CoreContext } from "../core/core-context.js";
import type { Config } from "../core/config.js";
import { systemClock, type Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import { createFederationKeyServices } from "../federation-keys/index.js";
import { createFederationServices, type FederationServiceOptions } from "../../federation/services.js";
import { RemoteRoomsClient } from "../../federation/client/remote-rooms-client.js";
import { RemoteHierarchyClient } from "../../federation/client/remote-hierarchy-client.js";
import { createFederationRooms } from "../rooms/remote/index.js";
import { createEduServices } from "../edus/index.js";
import { ReportService } from "../rooms/reports/report-service.js";
import { createLegacySyncServices } from "../sync/legacy/index.js";
import { createDeviceFederation, remoteUserDevicesOver } from "../edus/device-messages/index.js";
import { createMediaServices } from "../media/index.js";
import { RemoteMediaClient } from "../../federation/client/remote-media-client.js";
import { createOutgoingHttp } from "../core/outgoing-http.js";
import { IpRangeFilter } from "../core/ip-ranges.js";
import { UrlPreviewService } from "../media/preview/url-preview-service.js";
import { createPushers } from "../push/pushers/index.js";

export interface AppContextOptions {
  config: Config;
  database: Database;
  signingKey: SigningKey;
  logger: Logger;
  clock?: Clock;
  /** Test injection for federation (DNS, well-known fetches). */
  federation?: FederationServiceOptions;
}

/** Stream publishers resume from what is stored, so tokens issued before a restart stay valid. */
/** The highest position a stream whose rows do not stay (to-device messages) has handed out. */
async function highWater(database: Database, stream: string): Promise<number> {
  const { rows } = await sql<{ position: number | null }>`SELECT position FROM stream_high_water WHERE stream = ${stream}`.execute(database.db);
  return Number(rows[0]?.position ?? 0);
}

async function maxPosition(database: Database, table: "events" | "account_data" | "receipts" | "device_list_changes"): Promise<number> {
  const { rows } = await sql<{ max: number | null }>`SELECT max(stream_pos) AS max FROM ${sql.table(table)}`.execute(database.db);
  return Number(rows[0]?.max ?? 0);
}

/**
 * Streams kept only in memory (typing, presence) must not restart below positions handed out before a
 * restart, or a client's old token would hide every change until the counter caught up. Starting from the
 * clock (100 positions per millisecond of uptime, far more than these streams use) keeps them increasing
 * across restarts without storing anything.
 */
function inMemoryStreamStart(clock: Clock): number {
  return Math.floor(clock.now()) * 100;
}

export async function createAppContext(options: AppContextOptions): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const core: CoreContext = {
    config: options.config,
    serverName: options.config.server_name,
    database: options.database,
    db: options.database.db,
    signingKey: options.signingKey,
    clock,
    logger: options.logger,
    notifier: new Notifier(),
    streams: {
      events: new OrderedPublisher(await maxPosition(options.database, "events")),
      accountData: new OrderedPublisher(await maxPosition(options.database, "account_data")),
      receipts: new OrderedPublisher(await maxPosition(options.database, "receipts")),
      typing: new OrderedPublisher(inMemoryStreamStart(clock)),
      presence: new OrderedPublisher(inMemoryStreamStart(clock)),
      toDevice: new OrderedPublisher(await highWater(options.database, "toDevice")),
      deviceLists: new OrderedPublisher(await maxPosition(options.database, "device_list_changes")),
    },
  };
  // Users and rooms call each other (profile changes become member events); late binding breaks the cycle.
  const context = core as AppContext;
  const hooks: UserHooks = {
    onProfileChanged: (userId, profile) => context.rooms.onProfileChanged(userId, profile),
    onDeactivated: (userId) => context.rooms.leaveAllRooms(userId),
  };
  context.stores = createStores(core.db);
  // Synapse applies its ip_range_blacklist to every outgoing request, so the core's fetches share federation's ranges.
  context.outgoingHttp = createOutgoingHttp({
    ipFilter: new IpRangeFilter(options.config.federation.ip_range_blocklist, options.config.federation.ip_range_allowlist),
    userAgent: "Myelin",
  });
  context.urlPreviews = new UrlPreviewService({
    http: context.outgoingHttp,
    store: context.stores.urlPreviews,
    clock,
    logger: options.logger,
    config: options.config.media.url_preview,
    // Looked up at each preview: the media repository is built further down.
    images: async (userId, bytes, contentType) =>
      (await context.media.repository.upload(userId, { body: bytes, contentType, fileName: undefined, declaredLength: bytes.length })).content_uri,
  });
  context.users = createUserServices(core, hooks, context.stores);
  context.rooms = createRoomServices(core, context.users, context.stores);
  // Sync reads the EDU streams (never the other way round), so the EDUs come first; both use the read side of rooms.
  const reads = createRoomReads(core, context.stores, context.users.ignored);
  context.roomReads = reads;
  context.edus = await createEduServices(core, { rooms: context.rooms, reads, users: context.users, stores: context.stores });
  context.reports = new ReportService({
    serverName: core.serverName,
    clock,
    reports: context.stores.reports,
    users: context.stores.users,
    reader: reads.reader,
    access: reads.access,
  });
  context.legacySync = createLegacySyncServices(core, { reads, accountData: context.users.accountData, directory: context.rooms.directory });
  context.sync = createSyncServices(core, { users: context.users, reads, edus: context.edus.syncSources, pushActions: context.stores.pushActions, deviceLists: context.stores.deviceLists });
  context.pushers = createPushers(core, { stores: context.stores, live: context.sync.liveDevices, outgoingHttp: context.outgoingHttp });
  if (options.config.push.enabled) {
    // Wake-ups only: each pusher reads what to send from its cursor in the database.
    core.notifier.subscribe((stream, _position, audience) => {
      if (stream === "events") for (const roomId of audience.rooms ?? []) context.pushers.loop.roomChanged(roomId);
    });
    context.edus.receipts.onLocalRead((userId) => context.pushers.loop.localRead(userId));
    await context.pushers.loop.start();
  }
  context.federation = createFederationServices(core, createFederationKeyServices(core, context.stores.serverKeys), options.federation);
  context.serverKeys = context.federation.keyring;
  const remoteRooms = new RemoteRoomsClient(context.federation.client);
  const federationRooms = createFederationRooms(core, context.rooms.persister, context.stores, context.rooms.service, context.serverKeys, remoteRooms, context.edus.dispatcher);
  context.rooms.directory.useRemote(remoteRooms);
  context.rooms.hierarchy.useRemote(new RemoteHierarchyClient(context.federation.client));
  context.roomReads.timeline.useBackfill((roomId, limit) => federationRooms.backfill.backfill(roomId, limit));
  context.federationRooms = federationRooms;
  context.deviceFederation = createDeviceFederation(core, {
    stores: context.stores,
    users: context.users,
    dispatcher: context.edus.dispatcher,
    remote: remoteUserDevicesOver(context.federation.client),
  });
  context.media = createMediaServices(core, context.stores.media, new RemoteMediaClient(context.federation.client));
  context.rooms.service.useFederation({
    remoteJoin: federationRooms.invitedJoin,
    inviteRejection: federationRooms.inviteRejection,
    remoteInvites: federationRooms.remoteInvites,
    remoteKnock: federationRooms.remoteKnock,
    resolveAlias: (alias) => context.rooms.directory.resolveAlias(alias),
  });
  return context;
}

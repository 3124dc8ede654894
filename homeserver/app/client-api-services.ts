import { KeyChanges } from "../users/device-lists/key-changes.js";
import type { ClientApiServices } from "../../client-api/client-api-services.js";
import type { AppContext } from "./app-context.js";
import { NotificationList } from "../rooms/push/notification-list.js";
import { KeyDistribution } from "../users/e2e-keys/key-distribution.js";
import { remoteUserKeysOver } from "../users/e2e-keys/remote-user-keys.js";

/** The client API's facade over the composed core: each service its routes use, and the settings they read. */
export function clientApiServices(app: AppContext): ClientApiServices {
  const { config, users, rooms, sync, edus } = app;
  return {
    serverName: app.serverName,
    publicBaseUrl: config.public_baseurl,
    defaultRoomVersion: config.default_room_version,
    // The config's own objects, not copies: what the running server's config says is what the routes read.
    registration: config.registration,
    rateLimits: config.rate_limits,
    syncWebSocket: config.sync.websocket,
    maxSyncTimeoutMs: config.sync.max_timeout_ms,
    clock: app.clock,
    logger: app.logger,
    auth: users.auth,
    accounts: users.accounts,
    sessions: users.sessions,
    sharedSecret: users.sharedSecret,
    devices: users.devices,
    profiles: users.profiles,
    accountData: users.accountData,
    filters: users.filters,
    pushRules: users.pushRules,
    pushers: app.pushers.service,
    notifications: new NotificationList(app.stores, app.roomReads.reader, app.clock),
    rooms: rooms.service,
    directory: rooms.directory,
    timeline: app.roomReads.timeline,
    roomState: app.roomReads.state,
    relations: app.roomReads.relations,
    sync: sync.service,
    typing: edus.typing,
    presence: edus.presence,
    receipts: edus.receipts,
    turn: config.turn,
    wellKnown: config.well_known,
    reports: app.reports,
    timestamps: app.roomReads.timestamps,
    search: app.roomReads.search,
    openid: users.openid,
    legacyEvents: app.legacySync.events,
    legacyInitialSync: app.legacySync.initialSync,
    hierarchy: rooms.hierarchy,
    upgrades: rooms.upgrades,
    userDirectory: users.directory,
    keyBackup: users.keyBackup,
    e2eKeys: users.e2eKeys,
    toDevice: users.toDevice,
    keyDistribution: new KeyDistribution(app.serverName, users.e2eKeys, remoteUserKeysOver(app.federation.client), users.crossSigning, app.deviceFederation.remoteDeviceLists),
    crossSigning: users.crossSigning,
    crossSignatures: users.crossSigning.signatureUpload(remoteUserKeysOver(app.federation.client)),
    keyChanges: new KeyChanges(app.stores.deviceLists),
    media: app.media.repository,
    urlPreviews: app.urlPreviews,
  };
}

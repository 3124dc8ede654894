import type { KeyChanges } from "../homeserver/users/device-lists/key-changes.js";
import type { AccountDataService } from "../homeserver/users/account-data.js";
import type { AccountService } from "../homeserver/users/accounts.js";
import type { DeviceService } from "../homeserver/users/devices.js";
import type { FilterService } from "../homeserver/users/filters.js";
import type { PushRulesService } from "../homeserver/users/push-rules/push-rules-service.js";
import type { NotificationList } from "../homeserver/rooms/push/notification-list.js";
import type { PusherService } from "../homeserver/push/pushers/pusher-service.js";
import type { ProfileService } from "../homeserver/users/profiles.js";
import type { SessionService } from "../homeserver/users/sessions.js";
import type { SharedSecretRegistration } from "../homeserver/users/shared-secret.js";
import type { AccessTokenAuth } from "../homeserver/users/token-auth.js";
import type { DirectoryService } from "../homeserver/rooms/directory-service.js";
import type { RoomService } from "../homeserver/rooms/room-service.js";
import type { StateReads } from "../homeserver/rooms/state-reads.js";
import type { TimelineReads } from "../homeserver/rooms/timeline-reads.js";
import type { RelationReads } from "../homeserver/rooms/relations/relation-reads.js";
import type { SyncService } from "../homeserver/sync/sync-service.js";
import type { PresenceService } from "../homeserver/edus/presence/presence-service.js";
import type { ReceiptsService } from "../homeserver/edus/receipts/receipts-service.js";
import type { TypingService } from "../homeserver/edus/typing/typing-service.js";
import type { Clock } from "../homeserver/core/clock.js";
import type { TurnConfig, WellKnownConfig } from "../homeserver/core/config.js";
import type { ReportService } from "../homeserver/rooms/reports/report-service.js";
import type { TimestampLookup } from "../homeserver/rooms/timestamp/timestamp-lookup.js";
import type { SearchService } from "../homeserver/rooms/search/search-service.js";
import type { OpenIdTokens } from "../homeserver/users/openid/openid-tokens.js";
import type { LegacyEventStream } from "../homeserver/sync/legacy/legacy-events.js";
import type { LegacyInitialSync } from "../homeserver/sync/legacy/legacy-initial-sync.js";
import type { Logger } from "../homeserver/core/logger.js";
import type { SpaceHierarchy } from "../homeserver/rooms/hierarchy/space-hierarchy.js";
import type { UserDirectoryService } from "../homeserver/users/directory/user-directory.js";
import type { RoomUpgrader } from "../homeserver/rooms/upgrade/room-upgrader.js";
import type { KeyBackupService } from "../homeserver/users/key-backup/key-backup-service.js";
import type { E2eKeysService } from "../homeserver/users/e2e-keys/e2e-keys-service.js";
import type { KeyDistribution } from "../homeserver/users/e2e-keys/key-distribution.js";
import type { ToDeviceService } from "../homeserver/users/to-device/to-device-service.js";
import type { CrossSigningService } from "../homeserver/users/e2e-keys/cross-signing/cross-signing-service.js";
import type { SignatureUpload } from "../homeserver/users/e2e-keys/cross-signing/signature-upload.js";
import type { MediaRepository } from "../homeserver/media/media-repository.js";
import type { UrlPreviewService } from "../homeserver/media/preview/url-preview-service.js";
import type { RateLimitSettings } from "./http/rate-limit.js";
import type { SyncWebSocketSettings } from "./routes/sync/websocket/sync-websocket-settings.js";

/** What client-api logs through: the core's logger, of which it uses these two. */
export type ClientApiLogger = Pick<Logger, "warn" | "error">;

/** Time for the rate limiter; tests pass a fake. */
export type ClientApiClock = Clock;

/**
 * Everything the client API's routes use, and nothing more: app/ builds it once from its context
 * (homeserver/app/client-api-services.ts). None is optional, so a server mounted without a service the
 * routes need fails to compile instead of answering clients with errors.
 */
export interface ClientApiServices {
  /** This server's name, which login answers as home_server. */
  serverName: string;
  /** The base URL clients reach this server at (well-known, login's well_known). */
  publicBaseUrl: string;
  /** The room version /capabilities names as the default. */
  defaultRoomVersion: string;
  /** Read at each request: whether registration tokens are in use (GET .../registration_token/validity). */
  registration: { readonly enabled: boolean; readonly require_token: boolean };
  rateLimits: RateLimitSettings;
  /** /sync over WebSocket, and whether /versions advertises it. */
  syncWebSocket: SyncWebSocketSettings;
  /** sync.max_timeout_ms: how long one build of the sync socket waits for news before it looks again. */
  maxSyncTimeoutMs: number;
  clock: ClientApiClock;
  logger: ClientApiLogger;

  /** Access tokens; `authenticateHash` lets the sync socket recheck its token before every push. */
  auth: Pick<AccessTokenAuth, "authenticate" | "authenticateHash">;
  accounts: Pick<AccountService, "register" | "checkAvailable" | "isRegistrationTokenValid" | "changePassword" | "deactivate">;
  sessions: Pick<SessionService, "login" | "refresh" | "logout" | "logoutAll">;
  sharedSecret: Pick<SharedSecretRegistration, "newNonce" | "register">;
  devices: Pick<DeviceService, "list" | "get" | "update" | "deleteDevices">;
  profiles: Pick<ProfileService, "requireProfile" | "setField">;
  accountData: Pick<AccountDataService, "get" | "setFromClient" | "getTags" | "putTag" | "deleteTag">;
  filters: Pick<FilterService, "create" | "get">;
  pushRules: Pick<PushRulesService, "content" | "ruleset" | "rule" | "putRule" | "deleteRule" | "setEnabled" | "setActions">;
  /** GET /notifications. */
  notifications: Pick<NotificationList, "list">;
  /** GET /pushers and POST /pushers/set. */
  pushers: Pick<PusherService, "list" | "set">;

  rooms: Pick<RoomService, "createRoom" | "sendMessage" | "sendState" | "redact" | "join" | "knock" | "membership" | "forget">;
  directory: Pick<
    DirectoryService,
    "resolveAlias" | "createAlias" | "deleteAlias" | "localAliases" | "visibility" | "setVisibility" | "publicRooms"
  >;
  /** /messages and /context. */
  timeline: Pick<TimelineReads, "messages" | "context">;
  /** /event, /state, /members, /joined_members, /joined_rooms. */
  roomState: Pick<StateReads, "event" | "state" | "stateEvent" | "members" | "joinedMembers" | "joinedRooms">;
  /** /relations and /threads. */
  relations: Pick<RelationReads, "relations" | "threads">;
  /** Long-poll and WebSocket sync; the socket checks its filter once with resolveFilter before it starts. */
  sync: Pick<SyncService, "sync" | "resolveFilter">;

  typing: Pick<TypingService, "setTyping">;
  presence: Pick<PresenceService, "getFor" | "setFromClient" | "markActive">;
  receipts: Pick<ReceiptsService, "postReceipt" | "setReadMarkers">;

  /** turn.*, read at each request: GET /voip/turnServer. */
  turn: TurnConfig;
  /** well_known.*: GET /.well-known/matrix/server. */
  wellKnown: WellKnownConfig;
  reports: Pick<ReportService, "reportEvent" | "reportRoom" | "reportUser">;
  /** GET /timestamp_to_event. */
  timestamps: Pick<TimestampLookup, "forClient">;
  /** POST /search. */
  search: Pick<SearchService, "search">;
  openid: Pick<OpenIdTokens, "issue">;
  /** The deprecated GET /events and /events/{eventId}. */
  legacyEvents: Pick<LegacyEventStream, "events" | "event">;
  /** The deprecated GET /initialSync and /rooms/{roomId}/initialSync. */
  legacyInitialSync: Pick<LegacyInitialSync, "initialSync" | "roomInitialSync">;
  /** GET /rooms/{roomId}/hierarchy. */
  hierarchy: Pick<SpaceHierarchy, "forClient">;
  /** POST /rooms/{roomId}/upgrade. */
  upgrades: Pick<RoomUpgrader, "upgrade">;
  /** POST /user_directory/search. */
  userDirectory: Pick<UserDirectoryService, "search">;
  /** /room_keys/version[/{version}] and /room_keys/keys[/{roomId}[/{sessionId}]]. */
  keyBackup: Pick<
    KeyBackupService,
    "createVersion" | "currentVersionInfo" | "versionInfo" | "updateVersion" | "deleteVersion" | "putKeys" | "keys" | "roomKeys" | "sessionKey" | "deleteKeys"
  >;
  /** POST /keys/upload: the calling device's keys. */
  e2eKeys: Pick<E2eKeysService, "upload">;
  /** POST /keys/query and /keys/claim: keys of users here and, over federation, elsewhere. */
  keyDistribution: Pick<KeyDistribution, "query" | "claim">;
  /** GET /keys/changes. */
  keyChanges: Pick<KeyChanges, "between">;
  /** PUT /sendToDevice. */
  toDevice: Pick<ToDeviceService, "send">;
  /** POST /keys/device_signing/upload. */
  crossSigning: Pick<CrossSigningService, "uploadKeys">;
  /** POST /keys/signatures/upload. */
  crossSignatures: Pick<SignatureUpload, "upload">;
  /** The media repository: /_matrix/media/v3/upload, /media/v1/create, /client/v1/media/{config,download,thumbnail}, legacy downloads. */
  media: Pick<MediaRepository, "config" | "upload" | "create" | "uploadTo" | "download" | "thumbnail" | "open">;
  /** GET /_matrix/client/v1/media/preview_url and the deprecated /_matrix/media/v3/preview_url. */
  urlPreviews: Pick<UrlPreviewService, "preview">;
}

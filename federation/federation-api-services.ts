import type { LocalServerKeys } from "../homeserver/federation-keys/local-keys.js";
import type { ServerKeys } from "../homeserver/federation-keys/server-keys.js";
import type { DirectoryService } from "../homeserver/rooms/directory-service.js";
import type { SpaceHierarchy } from "../homeserver/rooms/hierarchy/space-hierarchy.js";
import type { FederationRooms } from "../homeserver/rooms/remote/index.js";
import type { ProfileService } from "../homeserver/users/profiles.js";
import type { Clock } from "./clock.js";
import type { OpenIdTokens } from "../homeserver/users/openid/openid-tokens.js";
import type { TimestampLookup } from "../homeserver/rooms/timestamp/timestamp-lookup.js";
import type { KeyNotary } from "./keys/notary.js";
import type { E2eKeysService } from "../homeserver/users/e2e-keys/e2e-keys-service.js";
import type { UserDevices } from "../homeserver/edus/device-messages/user-devices.js";
import type { CrossSigningService } from "../homeserver/users/e2e-keys/cross-signing/cross-signing-service.js";
import type { MediaRepository } from "../homeserver/media/media-repository.js";

/** The parts of the rooms core that peers' requests reach: reads, ACLs, membership handshakes, invites, /send. */
export type FederationRoomsForPeers = Pick<FederationRooms, "reads" | "acls" | "membership" | "knocks" | "invites" | "transactions">;

/**
 * Everything federation's routes use, and nothing more: app/ builds it once from its context. None is optional,
 * so a server mounted without the rooms core for federation fails at startup instead of answering peers with errors.
 */
export interface FederationApiServices {
  serverName: string;
  clock: Clock;
  /** The body limit of other endpoints; PUT /send may carry more. */
  maxRequestBodyBytes: number;
  /** Other servers' keys, to check the X-Matrix signature of each request. */
  serverKeys: ServerKeys;
  /** Our own keys, as GET /_matrix/key/v2/server publishes them. */
  localKeys: Pick<LocalServerKeys, "serverKeyResponse">;
  /** Other servers' keys as we vouch for them (the notary API). */
  notary: Pick<KeyNotary, "query">;
  rooms: FederationRoomsForPeers;
  /** Aliases and the public room list, for the query and publicRooms endpoints. */
  directory: Pick<DirectoryService, "resolveAlias" | "publicRooms">;
  profiles: Pick<ProfileService, "getProfile">;
  /** A signed request from `origin` proves it is up: the sender may retry it now instead of after its backoff. */
  peerIsUp(origin: string): void;
  /** Whose OpenID token a third party holds (GET /openid/userinfo). */
  openid: Pick<OpenIdTokens, "userOf">;
  /** GET /timestamp_to_event/{roomId}. */
  timestamps: Pick<TimestampLookup, "forServer">;
  /** GET /hierarchy: our spaces, as other servers may see them. */
  hierarchy: Pick<SpaceHierarchy, "forServer">;
  /** POST /user/keys/query and /user/keys/claim: our users' device keys and one-time keys. */
  e2eKeys: Pick<E2eKeysService, "queryLocal" | "claimLocal">;
  /** GET /user/devices/{userId}: one of our users' devices and the stream id of their device list. */
  userDevices: Pick<UserDevices, "forServer">;
  /** POST /user/keys/query: our users' master and self-signing keys. */
  crossSigning: Pick<CrossSigningService, "keysOf">;
  /** GET /media/download/{mediaId} and /media/thumbnail/{mediaId}: our own media, for other servers. */
  media: Pick<MediaRepository, "download" | "thumbnail" | "open">;
}

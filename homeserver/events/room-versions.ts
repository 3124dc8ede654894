/**
 * The one table of room versions. Every module that behaves differently per room version asks
 * this table for a named feature instead of comparing version strings, so that adding a version
 * (or an experimental one) is one new row here.
 *
 * Sources: the Matrix spec's room version pages (rooms/v1 … v12) and its feature matrix; the
 * flags were cross-checked against Synapse 1.163's room version table.
 */

/** Which parts of an event survive redaction; each flag names the room version that introduced it. */
export interface RedactionRules {
  /** Short name for logs and tests: the room version whose algorithm this is first seen in. */
  name: "v1" | "v6" | "v8" | "v9" | "v11";
  /** v1–v10 keep top-level `origin`, `membership` and `prev_state`; v11 dropped them. */
  keepOriginMembershipPrevState: boolean;
  /** v1–v5: `m.room.aliases` keeps `aliases` (removed with the aliases auth special case in v6). */
  keepAliasesAliases: boolean;
  /** v8+: `m.room.join_rules` keeps `allow`, so restricted rooms stay restricted once redacted. */
  keepJoinRulesAllow: boolean;
  /** v9+: `m.room.member` keeps `join_authorised_via_users_server` (v8 lost it: split-brain bug). */
  keepMemberJoinAuthorisedVia: boolean;
  /** v11+: `m.room.member` keeps `third_party_invite.signed`, which the auth rules need. */
  keepMemberThirdPartyInviteSigned: boolean;
  /** v11+: `m.room.create` keeps its whole content (≤ v10 only `creator`). */
  keepCreateContent: boolean;
  /** v11+: `m.room.redaction` keeps `content.redacts`. */
  keepRedactionRedacts: boolean;
  /** v11+: `m.room.power_levels` keeps `invite`. */
  keepPowerLevelsInvite: boolean;
}

export type EventIdFormat = "server-generated" | "base64" | "url-safe-base64";
export type StateResVersion = "v1" | "v2" | "v2.1";

export interface RoomVersion {
  id: string;
  /** "stable" versions are advertised to clients as such (GET /capabilities). */
  stability: "stable" | "unstable";
  /** v1/v2 carry `$local:domain` ids; v3 base64 reference hashes; v4+ url-safe base64. */
  eventIdFormat: EventIdFormat;
  /** v1 original algorithm; v2–v11 state res v2; v12 v2.1 (empty start map, conflicted subgraph). */
  stateRes: StateResVersion;
  /** v6+: events must be strict canonical JSON: no floats, integers within ±(2^53−1). */
  strictCanonicalJson: boolean;
  /** v5+: signing keys must be valid (valid_until_ts) at the event's origin_server_ts. */
  enforceKeyValidity: boolean;
  /** v1–v5: `m.room.aliases` has its own auth rule (state_key must be the sender's domain). */
  specialCaseAliasesAuth: boolean;
  /** v6+: power-level changes also check the `notifications` map. */
  limitNotificationsPowerLevels: boolean;
  /** v7+: `knock` membership and join rule. */
  knocking: boolean;
  /** v8+: `restricted` join rule with `join_authorised_via_users_server`. */
  restrictedJoins: boolean;
  /** v10+: `knock_restricted` join rule. */
  knockRestricted: boolean;
  /** v10+: power-level values must be JSON integers (no strings like "50"). */
  integerPowerLevels: boolean;
  redactionRules: RedactionRules;
  /** v11+: `redacts` lives in `content` of `m.room.redaction`, not at the top level. */
  redactsInContent: boolean;
  /** ≤ v10: `m.room.create` must carry `content.creator`; v11+ the creator is the sender. */
  createEventHasCreator: boolean;
  /** v12: the room id is `!` + the create event's reference hash; the create has no room_id. */
  roomIdFromCreateEvent: boolean;
  /** v12: creators (create sender + additional_creators) have infinite power level. */
  creatorsHavePrivilege: boolean;
  /** v1/v2: redactions are authorised by auth rule 11 (redact level or same event-id domain);
   *  v3+ move that check to "handling redactions" when the redaction is applied. */
  redactionInAuthRules: boolean;
  /** v1/v2: an event must also be signed by the server named in its event_id. */
  signedByEventIdDomain: boolean;
}

const V1_REDACTIONS: RedactionRules = {
  name: "v1",
  keepOriginMembershipPrevState: true,
  keepAliasesAliases: true,
  keepJoinRulesAllow: false,
  keepMemberJoinAuthorisedVia: false,
  keepMemberThirdPartyInviteSigned: false,
  keepCreateContent: false,
  keepRedactionRedacts: false,
  keepPowerLevelsInvite: false,
};
const V6_REDACTIONS: RedactionRules = { ...V1_REDACTIONS, name: "v6", keepAliasesAliases: false };
const V8_REDACTIONS: RedactionRules = { ...V6_REDACTIONS, name: "v8", keepJoinRulesAllow: true };
const V9_REDACTIONS: RedactionRules = { ...V8_REDACTIONS, name: "v9", keepMemberJoinAuthorisedVia: true };
const V11_REDACTIONS: RedactionRules = {
  ...V9_REDACTIONS,
  name: "v11",
  keepOriginMembershipPrevState: false,
  keepMemberThirdPartyInviteSigned: true,
  keepCreateContent: true,
  keepRedactionRedacts: true,
  keepPowerLevelsInvite: true,
};

// Each version is the previous one plus the changes its spec page lists.
const v1: RoomVersion = {
  id: "1",
  stability: "stable",
  eventIdFormat: "server-generated",
  stateRes: "v1",
  strictCanonicalJson: false,
  enforceKeyValidity: false,
  specialCaseAliasesAuth: true,
  limitNotificationsPowerLevels: false,
  knocking: false,
  restrictedJoins: false,
  knockRestricted: false,
  integerPowerLevels: false,
  redactionRules: V1_REDACTIONS,
  redactsInContent: false,
  createEventHasCreator: true,
  roomIdFromCreateEvent: false,
  creatorsHavePrivilege: false,
  redactionInAuthRules: true,
  signedByEventIdDomain: true,
};
const v2: RoomVersion = { ...v1, id: "2", stateRes: "v2" };
const v3: RoomVersion = {
  ...v2,
  id: "3",
  eventIdFormat: "base64",
  redactionInAuthRules: false,
  signedByEventIdDomain: false,
};
const v4: RoomVersion = { ...v3, id: "4", eventIdFormat: "url-safe-base64" };
const v5: RoomVersion = { ...v4, id: "5", enforceKeyValidity: true };
const v6: RoomVersion = {
  ...v5,
  id: "6",
  strictCanonicalJson: true,
  specialCaseAliasesAuth: false,
  limitNotificationsPowerLevels: true,
  redactionRules: V6_REDACTIONS,
};
const v7: RoomVersion = { ...v6, id: "7", knocking: true };
const v8: RoomVersion = { ...v7, id: "8", restrictedJoins: true, redactionRules: V8_REDACTIONS };
const v9: RoomVersion = { ...v8, id: "9", redactionRules: V9_REDACTIONS };
const v10: RoomVersion = { ...v9, id: "10", knockRestricted: true, integerPowerLevels: true };
const v11: RoomVersion = {
  ...v10,
  id: "11",
  redactionRules: V11_REDACTIONS,
  redactsInContent: true,
  createEventHasCreator: false,
};
const v12: RoomVersion = {
  ...v11,
  id: "12",
  stateRes: "v2.1",
  roomIdFromCreateEvent: true,
  creatorsHavePrivilege: true,
};

const TABLE: ReadonlyMap<string, Readonly<RoomVersion>> = new Map(
  [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12].map((v) => [v.id, Object.freeze(v)]),
);

/** Ids of every room version this server can participate in, oldest first. */
export const KNOWN_ROOM_VERSIONS: readonly string[] = Object.freeze([...TABLE.keys()]);

/**
 * The version new rooms get unless the config or the request says otherwise. Matches Synapse's
 * default (synapse/config/server.py DEFAULT_ROOM_VERSION = "12" as of Synapse 1.163), so rooms
 * created here look like rooms created by the reference server.
 */
export const DEFAULT_ROOM_VERSION = "12";

export function getRoomVersion(id: string): RoomVersion | undefined {
  return TABLE.get(id);
}

export class UnsupportedRoomVersionError extends Error {
  constructor(readonly roomVersion: string) {
    super(`Unsupported room version: ${roomVersion}`);
    this.name = "UnsupportedRoomVersionError";
  }
}

/** For callers that already validated the id (e.g. read from our own database): a miss is a bug. */
export function requireRoomVersion(id: string): RoomVersion {
  const version = TABLE.get(id);
  if (!version) throw new UnsupportedRoomVersionError(id);
  return version;
}

/** The `m.room_versions` capability body for GET /_matrix/client/v3/capabilities. */
export function roomVersionsCapability(defaultVersion: string = DEFAULT_ROOM_VERSION): {
  default: string;
  available: Record<string, "stable" | "unstable">;
} {
  const available: Record<string, "stable" | "unstable"> = {};
  for (const v of TABLE.values()) available[v.id] = v.stability;
  return { default: defaultVersion, available };
}

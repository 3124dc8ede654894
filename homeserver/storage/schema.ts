import type { Generated } from "kysely";

/** Kysely's view of the one schema both drivers share. JSON is stored as text so bytes round-trip exactly. */
export interface Schema {
  users: UsersTable;
  devices: DevicesTable;
  access_tokens: AccessTokensTable;
  refresh_tokens: RefreshTokensTable;
  user_filters: UserFiltersTable;
  account_data: AccountDataTable;
  rooms: RoomsTable;
  events: EventsTable;
  forward_extremities: ForwardExtremitiesTable;
  state_groups: StateGroupsTable;
  state_group_entries: StateGroupEntriesTable;
  current_state: CurrentStateTable;
  txn_ids: TxnIdsTable;
  room_aliases: RoomAliasesTable;
  room_forgotten: RoomForgottenTable;
  federation_inbound_txns: FederationInboundTxnsTable;
  federation_destinations: FederationDestinationsTable;
  server_keys: ServerKeysTable;
  server_key_json: ServerKeyJsonTable;
  registration_tokens: RegistrationTokensTable;
  receipts: ReceiptsTable;
  pending_redactions: PendingRedactionsTable;
  reports: ReportsTable;
  openid_tokens: OpenIdTokensTable;
}

export interface UsersTable {
  user_id: string;
  localpart: string;
  password_hash: string | null;
  created_ts: number;
  is_admin: boolean;
  deactivated: boolean;
  displayname: string | null;
  avatar_url: string | null;
  /** A guest account (kind=guest registration) until it is upgraded to a full account. */
  is_guest: Generated<boolean>;
}

export interface DevicesTable {
  user_id: string;
  device_id: string;
  display_name: string | null;
  created_ts: number;
  last_seen_ts: number | null;
  last_seen_ip: string | null;
}

export interface AccessTokensTable {
  /** sha256 of the token: a leaked table must not yield usable tokens. */
  token_hash: string;
  user_id: string;
  device_id: string;
  created_ts: number;
  expires_ts: number | null;
  refresh_token_hash: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  user_id: string;
  device_id: string;
  created_ts: number;
  /** Set once the token has been exchanged; a refresh token is single use. */
  used_ts: number | null;
}

export interface UserFiltersTable {
  filter_id: Generated<number>;
  user_id: string;
  filter_json: string;
}

export interface AccountDataTable {
  user_id: string;
  /** "" for global account data. */
  room_id: string;
  type: string;
  content: string;
  stream_pos: number;
}

export interface RoomsTable {
  room_id: string;
  room_version: string;
  creator: string;
  created_ts: number;
  directory_visibility: "public" | "private";
  /** Last per-room sequence number; updating it row-locks the room for the persisting transaction. */
  last_seq: number;
}

export interface EventsTable {
  /** Position on the global room-event stream: the order sync delivers in. */
  stream_pos: number;
  event_id: string;
  room_id: string;
  /** Gapless per-room sequence. */
  room_seq: number;
  type: string;
  state_key: string | null;
  sender: string;
  depth: number;
  origin_server_ts: number;
  /** Membership of an m.room.member event, denormalised for membership-history queries. */
  membership: string | null;
  json: string;
  /** Server-computed unsigned data fixed at persist time (prev_content, replaces_state). */
  unsigned_json: string | null;
  /** The sending device and its txnId, so that device sees unsigned.transaction_id. */
  sender_device: string | null;
  txn_id: string | null;
  redacted_by: string | null;
  /** Held for auth or state but not placed in the timeline (negative stream_pos, never synced). */
  outlier: Generated<boolean>;
  rejected_reason: string | null;
  /** Passed auth at its place in the DAG but not against current state: stored, never shown. */
  soft_failed: Generated<boolean>;
  state_group_before: number | null;
  state_group_after: number | null;
}

export interface ForwardExtremitiesTable {
  room_id: string;
  event_id: string;
}

export interface StateGroupsTable {
  id: Generated<number>;
  room_id: string;
  /** A group is stored as a delta over prev_group, or in full when prev_group is null. */
  prev_group: number | null;
  /** Length of the delta chain down to a full snapshot, to bound lookups. */
  chain_length: number;
}

export interface StateGroupEntriesTable {
  group_id: number;
  type: string;
  state_key: string;
  event_id: string;
}

export interface CurrentStateTable {
  room_id: string;
  type: string;
  state_key: string;
  event_id: string;
  membership: string | null;
  stream_pos: number;
}

export interface TxnIdsTable {
  user_id: string;
  device_id: string;
  /** The endpoint and path parameters the txnId was used with (homeserver/rooms/txn-scopes.ts). */
  scope: string;
  txn_id: string;
  event_id: string;
  room_id: string;
  created_ts: number;
}

export interface RoomAliasesTable {
  alias: string;
  room_id: string;
  creator: string;
  created_ts: number;
}

export interface ServerKeysTable {
  server_name: string;
  key_id: string;
  public_key: string;
  valid_until_ts: number;
  expired_ts: number | null;
}

/** The latest signed key response (as received) that listed each key; notaries serve these. */
export interface ServerKeyJsonTable {
  server_name: string;
  key_id: string;
  from_server: string;
  fetched_ts: number;
  valid_until_ts: number;
  key_json: string;
}

export interface RegistrationTokensTable {
  token: string;
  uses_allowed: number | null;
  completed: number;
  expiry_time: number | null;
}

export interface RoomForgottenTable {
  user_id: string;
  room_id: string;
}

export interface FederationInboundTxnsTable {
  origin: string;
  txn_id: string;
  response: string;
  received_ts: number;
}

export interface FederationDestinationsTable {
  destination: string;
  /** The room-event stream position up to which this destination has been sent everything. */
  last_sent_stream_pos: number;
  retry_at_ts: number | null;
  retry_interval_ms: number;
}

export interface ReceiptsTable {
  room_id: string;
  user_id: string;
  receipt_type: string;
  /** '' for an unthreaded receipt. */
  thread_id: string;
  event_id: string;
  data: unknown;
  stream_pos: number;
}

/** A redaction received over federation before its target; removed once the target arrives. */
export interface PendingRedactionsTable {
  redacts: string;
  redaction_id: string;
  room_id: string;
}

/** A user's report of an event, a room or a user, kept for the server's operators. */
export interface ReportsTable {
  id: Generated<number>;
  kind: "event" | "room" | "user";
  reporter: string;
  room_id: string | null;
  event_id: string | null;
  target_user_id: string | null;
  reason: string | null;
  score: number | null;
  received_ts: number;
}

/** OpenID tokens a user hands to a third party; keyed by the sha256 of the token, like access tokens. */
export interface OpenIdTokensTable {
  token_hash: string;
  user_id: string;
  expires_ts: number;
}

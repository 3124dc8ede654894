import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import YAML from "yaml";
import { CONFIG_SCHEMA } from "./config-schema.js";
import { getRoomVersion, KNOWN_ROOM_VERSIONS } from "../events/room-versions.js";

export interface ListenerConfig {
  port: number;
  bind_address: string;
  resources: Array<"client" | "federation">;
  /** PEM files; when set the listener serves HTTPS (federation peers require it). */
  tls?: { certificate_path: string; private_key_path: string };
}

export interface FederationConfig {
  /** Check peers' certificates; off only for tests and closed networks. */
  verify_tls: boolean;
  /** CIDRs outgoing requests never connect to (after well-known, SRV and DNS resolution). */
  ip_range_blocklist: string[];
  /** CIDRs allowed even when the blocklist covers them. */
  ip_range_allowlist: string[];
  /** Notaries asked for keys a server cannot give us directly; verify_keys maps key id to base64 public key. */
  trusted_key_servers: Array<{ server_name: string; verify_keys: Record<string, string> }>;
  /** How long others may cache our keys (valid_until_ts = now + this). */
  key_validity_period_ms: number;
  request_timeout_ms: number;
  /**
   * Durable EDUs (to-device messages, device list and signing key updates) a destination has not taken for this
   * long are dropped, except each user's latest device list and signing key update, from which it catches up.
   */
  durable_edu_max_age_ms: number;
  /** TESTS ONLY: talk plain http to peers instead of https. */
  allow_insecure_http_for_tests: boolean;
}

/** /sync over WebSocket (docs/websocket-sync.md). */
export interface SyncWebSocketConfig {
  enabled: boolean;
  /** Server ping frames this often; a connection that has not answered the previous ping by then is closed. */
  heartbeat_interval_ms: number;
  /** No new sync response is built while more than this is waiting to be written to the socket. */
  max_buffered_bytes: number;
  /** Responses pushed but not yet acknowledged before the server waits for an ack; 0: no limit. */
  max_unacknowledged: number;
  /** Client requests carried over the socket at once; 0 refuses requests over the socket. */
  max_requests_in_flight: number;
  /** permessage-deflate: small windows keep each connection's zlib state small. */
  compression: { enabled: boolean; threshold_bytes: number; window_bits: number; mem_level: number };
}

export interface Config {
  server_name: string;
  public_baseurl: string;
  listeners: ListenerConfig[];
  data_dir: string;
  /** connect_retry_ms: how long start keeps trying to reach PostgreSQL before it gives up. */
  /** embedded_fsync: the on-disk embedded database syncs each commit to disk (storage/durable-embedded-database.ts). */
  database: { type: "embedded" | "postgres"; path: string; url?: string; pool_size: number; connect_retry_ms: number; embedded_fsync: boolean };
  signing_key_path: string;
  /** Keys this server signed with before, published as old_verify_keys so old events still verify. */
  old_signing_keys: Record<string, { key: string; expired_ts: number }>;
  registration: { enabled: boolean; shared_secret: string | null; require_token: boolean; tokens: string[] };
  /** Guest accounts (POST /register?kind=guest); off by default, as Synapse's allow_guest_access. */
  guest_access: { enabled: boolean };
  /** search_all_users: the directory lists every local user, not only those who share a room or sit in a public one. */
  user_directory: { search_all_users: boolean };
  rate_limits: { enabled: boolean; per_second: number; burst: number };
  access_token_lifetime_ms: number;
  /**
   * scrypt cost of new password hashes, as log2(N) (like Synapse's bcrypt_rounds): 15 by default, about
   * 100 ms per hash. Lower it only for test servers that register many users; stored hashes keep their own cost.
   */
  password_scrypt_log_n: number;
  log_level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  max_request_body_bytes: number;
  /** The room version of new rooms whose createRoom request names none; also /capabilities' default. */
  default_room_version: string;
  sync: { max_timeout_ms: number; websocket: SyncWebSocketConfig };
  federation: FederationConfig;
  push: PushConfig;
  presence: PresenceConfig;
  turn: TurnConfig;
  well_known: WellKnownConfig;
  media: MediaConfig;
}

/** The media repository (homeserver/media/). */
export interface MediaConfig {
  /** Where the files live; null: `<data_dir>/media`. */
  path: string | null;
  /** The largest upload, and the m.upload.size /config announces. */
  max_upload_bytes: number;
  /** The largest remote file fetched over federation; bigger ones are refused (502), never cached. */
  max_remote_download_bytes: number;
  /** How many ids from POST /media/v1/create a user may hold unused at once. */
  max_pending_uploads: number;
  /** How long an id from /create stays usable without an upload. */
  unused_expires_after_ms: number;
  /**
   * The legacy unauthenticated /_matrix/media/v3/download and /thumbnail serve only media created before this
   * ISO 8601 date-time; null: before the media repository's first start (its migration), so nothing uploaded
   * through this server is ever served without authentication.
   */
  legacy_unauthenticated_cutoff: string | null;
  /** Cached remote media not read for this many days is deleted by a daily job; null keeps it forever. */
  remote_retention_days: number | null;
  /** Images with more pixels than this are not thumbnailed (decompression bombs). */
  max_thumbnail_source_pixels: number;
  url_preview: UrlPreviewConfig;
  storage: MediaStorageConfig;
}

/** media.storage: the files on the local disk (the default), or in an S3-compatible bucket. */
export interface MediaStorageConfig {
  type: "disk" | "s3";
  /** The S3 API's URL; absent: AWS's endpoint for `region`. */
  endpoint?: string;
  /** Required when type is s3 (the schema says so), as is region. */
  bucket?: string;
  region?: string;
  /** Both or neither; neither: the AWS SDK's credential chain (AWS_* environment variables, an instance role). */
  access_key_id?: string;
  secret_access_key?: string;
  /** Address the bucket as endpoint/bucket rather than bucket.endpoint (MinIO, Garage, Ceph and most others). */
  path_style: boolean;
}

/** GET /media/v1/preview_url (homeserver/media/preview/); fetched through the federation IP range filter. */
export interface UrlPreviewConfig {
  /** Off by default, as in Synapse: when off the endpoint answers 404 M_UNRECOGNIZED. */
  enabled: boolean;
  /** The largest page or image fetched (Synapse's max_spider_size, 10 MiB). */
  max_bytes: number;
  /** One fetch (page or image), redirects included, whole. */
  timeout_ms: number;
  /** How long a preview is answered again without fetching the URL (Synapse: one hour). */
  cache_ms: number;
  /** Sent as Accept-Language, so that sites answer in the language users here read. */
  accept_language: string[];
}

/** GET /voip/turnServer: the TURN servers clients use for calls. */
export interface TurnConfig {
  /** e.g. "turn:turn.example.org:3478?transport=udp"; none: the endpoint answers {} (no TURN offered). */
  uris: string[];
  /** The TURN server's static-auth-secret (the TURN REST API scheme: time-limited HMAC credentials). */
  shared_secret: string | null;
  /** Fixed credentials instead of the shared secret. */
  username: string | null;
  password: string | null;
  /** How long credentials made from the shared secret stay valid (and the ttl clients are told). */
  user_lifetime_ms: number;
}

/** /.well-known/matrix/server: federation delegation for this server name. */
export interface WellKnownConfig {
  /** The m.server value ("<host>[:<port>]"); null: not served unless serve_server is on. */
  server: string | null;
  /** Serve it even when `server` is null, as public_baseurl's host and port (443 when none). */
  serve_server: boolean;
}

export interface PushConfig {
  /**
   * Off: push rules are not evaluated, so no event counts as a notification (unread counts stay 0, nothing is
   * listed in /notifications). For measuring what evaluation costs; leave it on.
   */
  enabled: boolean;
  /** The badge pushers send (counts.unread): rooms with unread notifications (true, as Synapse), or notifications. */
  group_unread_count_by_room: boolean;
  pushers: PushersConfig;
}

/** The pusher loop (homeserver/push/pushers/). */
export interface PushersConfig {
  /** The first retry after the gateway fails; each further failure doubles it, up to retry_max_ms. */
  retry_initial_ms: number;
  retry_max_ms: number;
  /** A pusher failing for this long gives up on the notification at hand and moves on to the next. */
  max_age_ms: number;
  /** One request to the push gateway, whole. */
  request_timeout_ms: number;
  /** A device with an open sync WebSocket, or that long-polled within sync_grace_ms, is not pushed for events. */
  skip_when_syncing: boolean;
  sync_grace_ms: number;
}

export interface PresenceConfig {
  /** Off: presence is neither tracked, shown nor federated (PUT is accepted and ignored, GET says offline). */
  enabled: boolean;
  /** Online -> unavailable after this long without an action (PUT presence, typing). */
  idle_timeout_ms: number;
  /** -> offline once no sync request can still be running for this long (and no action for as long). */
  sync_online_timeout_ms: number;
  /** currently_active holds for this long after an action. */
  last_active_granularity_ms: number;
}

export class ConfigError extends Error {}

/**
 * Environment variables override the file, for containers. Each names one key; nested keys use "__".
 * Values are parsed as YAML scalars so "false" and "8008" get their proper types.
 */
const ENV_PREFIX = "MYELIN_";
const ENV_IGNORED = new Set(["MYELIN_CONFIG"]);

function applyEnvironment(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || ENV_IGNORED.has(name) || value === undefined) continue;
    if (name.startsWith("MYELIN_TEST_") || name.startsWith("MYELIN_CONFORMANCE_")) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split("__");
    if (path[0] === "port") {
      // The common container case: one listener on a given port.
      const listeners = (raw.listeners as Array<Record<string, unknown>> | undefined) ?? [{}];
      listeners[0] = { ...listeners[0], port: Number(value) };
      raw.listeners = listeners;
      continue;
    }
    let target = raw;
    for (const key of path.slice(0, -1)) {
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = YAML.parse(value);
  }
}

function describeError(error: ErrorObject): string {
  const key = error.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top level)";
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `${key === "(top level)" ? "" : `${key}.`}${extra}: unknown key`;
  }
  if (error.keyword === "enum") {
    return `${key}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  }
  return `${key}: ${error.message}`;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validate = ajv.compile(CONFIG_SCHEMA);

export function buildConfig(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Config {
  const config = structuredClone(raw);
  applyEnvironment(config, env);
  if (!validate(config)) {
    throw new ConfigError(`invalid configuration:\n  ${(validate.errors ?? []).map(describeError).join("\n  ")}`);
  }
  const c = config as unknown as Config;
  if (c.database.type === "postgres" && !c.database.url) {
    throw new ConfigError("invalid configuration:\n  database.url: required when database.type is postgres");
  }
  c.default_room_version = String(c.default_room_version);
  if (!getRoomVersion(c.default_room_version)) {
    throw new ConfigError(
      `invalid configuration:\n  default_room_version: "${c.default_room_version}" is not a room version this server supports (${KNOWN_ROOM_VERSIONS.join(", ")})`,
    );
  }
  c.database.path ??= join(c.data_dir, "db");
  c.signing_key_path ??= join(c.data_dir, `${c.server_name.replace(/[^A-Za-z0-9.-]/g, "_")}.signing.key`);
  c.public_baseurl ??= `http://${c.server_name}/`;
  if (!c.public_baseurl.endsWith("/")) c.public_baseurl += "/";
  return c;
}

/** Loads YAML from `path`, or from nothing at all: `npm start` works on a fresh clone with no file. */
export async function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv): Promise<{ config: Config; defaults: boolean }> {
  if (!path) {
    // Zero-configuration local use: localhost on 8008, data in ./data, open registration.
    const config = buildConfig(
      {
        server_name: "localhost",
        public_baseurl: "http://localhost:8008/",
        registration: { enabled: true },
      },
      env,
    );
    return { config, defaults: true };
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`config file ${path} must hold a mapping`);
  return { config: buildConfig(parsed as Record<string, unknown>, env), defaults: false };
}

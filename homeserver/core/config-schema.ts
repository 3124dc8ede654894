import { DEFAULT_ROOM_VERSION } from "../events/room-versions.js";

/** Private, loopback, link-local, test and multicast ranges: outgoing federation never connects to them. */
export const DEFAULT_IP_RANGE_BLOCKLIST = [
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "192.0.0.0/24",
  "169.254.0.0/16",
  "192.88.99.0/24",
  "198.18.0.0/15",
  "192.0.2.0/24",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "::1/128",
  "fe80::/10",
  "fc00::/7",
  "2001:db8::/32",
  "ff00::/8",
  "fec0::/10",
];

const CIDR = { type: "string", pattern: "^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$" } as const;

const FEDERATION_CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    verify_tls: { type: "boolean", default: true },
    ip_range_blocklist: { type: "array", items: CIDR, default: DEFAULT_IP_RANGE_BLOCKLIST },
    ip_range_allowlist: { type: "array", items: CIDR, default: [] },
    trusted_key_servers: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["server_name", "verify_keys"],
        properties: {
          server_name: { type: "string", minLength: 1 },
          verify_keys: {
            type: "object",
            minProperties: 1,
            propertyNames: { pattern: "^ed25519:[A-Za-z0-9_]+$" },
            additionalProperties: { type: "string", pattern: "^[A-Za-z0-9+/]{43}=?$" },
          },
        },
      },
      default: [],
    },
    key_validity_period_ms: { type: "integer", minimum: 3_600_000, maximum: 604_800_000, default: 86_400_000 },
    request_timeout_ms: { type: "integer", minimum: 1000, default: 60_000 },
    durable_edu_max_age_ms: { type: "integer", minimum: 3_600_000, default: 604_800_000 },
    allow_insecure_http_for_tests: { type: "boolean", default: false },
  },
  default: {},
} as const;

const SYNC_WEBSOCKET_CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    enabled: { type: "boolean", default: true },
    heartbeat_interval_ms: { type: "integer", minimum: 10, default: 300_000 },
    max_buffered_bytes: { type: "integer", minimum: 1024, default: 262_144 },
    max_unacknowledged: { type: "integer", minimum: 0, default: 4 },
    max_requests_in_flight: { type: "integer", minimum: 0, default: 8 },
    compression: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", default: true },
        threshold_bytes: { type: "integer", minimum: 0, default: 16_384 },
        window_bits: { type: "integer", minimum: 9, maximum: 15, default: 10 },
        mem_level: { type: "integer", minimum: 1, maximum: 9, default: 2 },
      },
      default: {},
    },
  },
  default: {},
} as const;

/** JSON Schema for the configuration file; ajv fills defaults and names the key when a value is wrong. */
export const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    server_name: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9.\\-\\[\\]:]+$", default: "localhost" },
    public_baseurl: { type: "string", pattern: "^https?://" },
    listeners: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["port"],
        properties: {
          port: { type: "integer", minimum: 0, maximum: 65535 },
          bind_address: { type: "string", default: "127.0.0.1" },
          resources: {
            type: "array",
            items: { enum: ["client", "federation"] },
            default: ["client", "federation"],
          },
          tls: {
            type: "object",
            additionalProperties: false,
            required: ["certificate_path", "private_key_path"],
            properties: {
              certificate_path: { type: "string", minLength: 1 },
              private_key_path: { type: "string", minLength: 1 },
            },
          },
        },
      },
      default: [{ port: 8008, bind_address: "127.0.0.1", resources: ["client", "federation"] }],
    },
    data_dir: { type: "string", default: "./data" },
    database: {
      type: "object",
      additionalProperties: false,
      properties: {
        type: { enum: ["embedded", "postgres"], default: "embedded" },
        path: { type: "string" },
        url: { type: "string", pattern: "^postgres(ql)?://" },
        pool_size: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
        connect_retry_ms: { type: "integer", minimum: 0, default: 30_000 },
        embedded_fsync: { type: "boolean", default: true },
      },
      default: {},
    },
    signing_key_path: { type: "string" },
    old_signing_keys: {
      type: "object",
      propertyNames: { pattern: "^ed25519:[A-Za-z0-9_]+$" },
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["key", "expired_ts"],
        properties: {
          key: { type: "string", pattern: "^[A-Za-z0-9+/]{43}=?$" },
          expired_ts: { type: "integer", minimum: 0 },
        },
      },
      default: {},
    },
    registration: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", default: false },
        shared_secret: { type: ["string", "null"], default: null },
        require_token: { type: "boolean", default: false },
        tokens: { type: "array", items: { type: "string", minLength: 1 }, default: [] },
      },
      default: {},
    },
    guest_access: {
      type: "object",
      additionalProperties: false,
      properties: { enabled: { type: "boolean", default: false } },
      default: {},
    },
    user_directory: {
      type: "object",
      additionalProperties: false,
      properties: { search_all_users: { type: "boolean", default: false } },
      default: {},
    },
    rate_limits: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", default: true },
        per_second: { type: "number", exclusiveMinimum: 0, default: 10 },
        burst: { type: "integer", minimum: 1, default: 50 },
      },
      default: {},
    },
    access_token_lifetime_ms: { type: "integer", minimum: 60_000, default: 300_000 },
    password_scrypt_log_n: { type: "integer", minimum: 10, maximum: 20, default: 15 },
    log_level: { enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"], default: "info" },
    max_request_body_bytes: { type: "integer", minimum: 1024, default: 1_048_576 },
    // An integer is taken too: environment overrides are parsed as YAML, so MYELIN_DEFAULT_ROOM_VERSION=10 is a number.
    default_room_version: { type: ["string", "integer"], default: DEFAULT_ROOM_VERSION },
    sync: {
      type: "object",
      additionalProperties: false,
      properties: {
        max_timeout_ms: { type: "integer", minimum: 0, default: 60_000 },
        websocket: SYNC_WEBSOCKET_CONFIG_SCHEMA,
      },
      default: {},
    },
    federation: FEDERATION_CONFIG_SCHEMA,
    push: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", default: true },
        // The badge (counts.unread) pushers send: rooms with unread notifications, or every unread notification.
        group_unread_count_by_room: { type: "boolean", default: true },
        pushers: {
          type: "object",
          additionalProperties: false,
          properties: {
            retry_initial_ms: { type: "integer", minimum: 1, default: 1000 },
            retry_max_ms: { type: "integer", minimum: 1, default: 3_600_000 },
            max_age_ms: { type: "integer", minimum: 0, default: 86_400_000 },
            request_timeout_ms: { type: "integer", minimum: 100, default: 20_000 },
            skip_when_syncing: { type: "boolean", default: true },
            sync_grace_ms: { type: "integer", minimum: 0, default: 10_000 },
          },
          default: {},
        },
      },
      default: {},
    },
    presence: {
      type: "object",
      additionalProperties: false,
      properties: {
        enabled: { type: "boolean", default: true },
        idle_timeout_ms: { type: "integer", minimum: 1000, default: 300_000 },
        sync_online_timeout_ms: { type: "integer", minimum: 1000, default: 30_000 },
        last_active_granularity_ms: { type: "integer", minimum: 1000, default: 60_000 },
      },
      default: {},
    },
    turn: {
      type: "object",
      additionalProperties: false,
      properties: {
        uris: { type: "array", items: { type: "string", minLength: 1 }, default: [] },
        shared_secret: { type: ["string", "null"], minLength: 1, default: null },
        username: { type: ["string", "null"], default: null },
        password: { type: ["string", "null"], default: null },
        user_lifetime_ms: { type: "integer", minimum: 1000, default: 3_600_000 },
      },
      default: {},
    },
    well_known: {
      type: "object",
      additionalProperties: false,
      properties: {
        server: { type: ["string", "null"], pattern: "^[A-Za-z0-9.\\-\\[\\]:]+$", default: null },
        serve_server: { type: "boolean", default: false },
      },
      default: {},
    },
    media: {
      type: "object",
      additionalProperties: false,
      properties: {
        path: { type: ["string", "null"], minLength: 1, default: null },
        max_upload_bytes: { type: "integer", minimum: 1, default: 52_428_800 },
        max_remote_download_bytes: { type: "integer", minimum: 1, default: 52_428_800 },
        max_pending_uploads: { type: "integer", minimum: 1, default: 5 },
        unused_expires_after_ms: { type: "integer", minimum: 1000, default: 86_400_000 },
        legacy_unauthenticated_cutoff: { type: ["string", "null"], pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$", default: null },
        remote_retention_days: { type: ["integer", "null"], minimum: 1, default: 90 },
        max_thumbnail_source_pixels: { type: "integer", minimum: 1, default: 32_000_000 },
        // Where the files live: the local disk (media.path) by default, or an S3-compatible bucket.
        storage: {
          type: "object",
          additionalProperties: false,
          properties: {
            type: { enum: ["disk", "s3"], default: "disk" },
            endpoint: { type: "string", pattern: "^https?://[^\\s/]+(/[^\\s]*)?$" },
            bucket: { type: "string", minLength: 1 },
            region: { type: "string", minLength: 1 },
            access_key_id: { type: "string", minLength: 1 },
            secret_access_key: { type: "string", minLength: 1 },
            path_style: { type: "boolean", default: false },
          },
          dependencies: { access_key_id: ["secret_access_key"], secret_access_key: ["access_key_id"] },
          if: { properties: { type: { const: "s3" } }, required: ["type"] },
          then: { required: ["bucket", "region"] },
          default: {},
        },
        // GET /media/v1/preview_url: off by default, as in Synapse (the server fetches what users name).
        url_preview: {
          type: "object",
          additionalProperties: false,
          properties: {
            enabled: { type: "boolean", default: false },
            max_bytes: { type: "integer", minimum: 1, default: 10_485_760 },
            timeout_ms: { type: "integer", minimum: 100, default: 10_000 },
            cache_ms: { type: "integer", minimum: 0, default: 3_600_000 },
            accept_language: { type: "array", items: { type: "string", minLength: 1, pattern: "^[\\x21-\\x7e]+$" }, default: ["en"] },
          },
          default: {},
        },
      },
      default: {},
    },
  },
} as const;

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
      },
      default: {},
    },
    signing_key_path: { type: "string" },
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
    log_level: { enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"], default: "info" },
    max_request_body_bytes: { type: "integer", minimum: 1024, default: 1_048_576 },
    sync: {
      type: "object",
      additionalProperties: false,
      properties: {
        max_timeout_ms: { type: "integer", minimum: 0, default: 60_000 },
      },
      default: {},
    },
  },
} as const;

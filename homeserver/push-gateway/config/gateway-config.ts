import { readFile } from "node:fs/promises";
import { Ajv, type ErrorObject } from "ajv";
import YAML from "yaml";
import { ConfigError } from "../../core/config.js";
import { DEFAULT_IP_RANGE_BLOCKLIST } from "../../core/config-schema.js";

/** Where WebPush notifications go: a browser's push service, reached at the subscription's endpoint. */
export interface WebPushAppConfig {
  type: "webpush";
  /** The VAPID private key: base64url (as `web-push generate-vapid-keys` prints it) or the path of a PEM file. */
  vapid_private_key: string;
  /** base64url; derived from the private key when left out (a check when given). */
  vapid_public_key?: string;
  /** Who the push service may contact about our traffic (VAPID `sub`): an email address or a mailto:/https: URL. */
  vapid_contact_email: string;
  /** Seconds the push service keeps an undelivered message. */
  ttl: number;
}

/** Firebase Cloud Messaging, HTTP v1 API. */
export interface FcmAppConfig {
  type: "fcm";
  project_id: string;
  /** The service account's JSON key file (from the Firebase console). */
  service_account_file: string;
  endpoint: string;
  token_endpoint: string;
}

/** Apple Push Notification service, token-based (.p8) authentication over HTTP/2. */
export interface ApnsAppConfig {
  type: "apns";
  team_id: string;
  key_id: string;
  /** The .p8 signing key file. */
  key_file: string;
  /** The app's bundle id (apns-topic). */
  topic: string;
  platform: "production" | "sandbox";
  /** Derived from `platform` when left out. */
  endpoint: string;
}

export type AppConfig = WebPushAppConfig | FcmAppConfig | ApnsAppConfig;

export interface PushGatewayConfig {
  listen: { host: string; port: number };
  log_level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  /** Ranges WebPush endpoints (user-supplied URLs) may not resolve to; the allowlist wins. */
  ip_range_blocklist: string[];
  ip_range_allowlist: string[];
  /** Each request to a push service, from connecting to the last byte of the answer. */
  request_timeout_ms: number;
  apps: Record<string, AppConfig>;
}

export const APNS_PRODUCTION_ENDPOINT = "https://api.push.apple.com";
export const APNS_SANDBOX_ENDPOINT = "https://api.sandbox.push.apple.com";

const CIDR = { type: "string", pattern: "^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$" } as const;
const NAME = { type: "string", minLength: 1 } as const;
const URL_STRING = { type: "string", pattern: "^https?://[^/]+/?$" } as const;

const TOP_LEVEL_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["apps"],
  properties: {
    listen: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: "string", minLength: 1, default: "127.0.0.1" },
        port: { type: "integer", minimum: 0, maximum: 65535, default: 5000 },
      },
    },
    log_level: { type: "string", enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"], default: "info" },
    ip_range_blocklist: { type: "array", items: CIDR, default: DEFAULT_IP_RANGE_BLOCKLIST },
    ip_range_allowlist: { type: "array", items: CIDR, default: [] },
    request_timeout_ms: { type: "integer", minimum: 100, default: 10_000 },
    apps: {
      type: "object",
      minProperties: 1,
      additionalProperties: {
        type: "object",
        required: ["type"],
        properties: { type: { type: "string", enum: ["webpush", "fcm", "apns"] } },
      },
    },
  },
} as const;

/** One schema per app type, checked after the type is known, so that errors name the keys of that type. */
const APP_SCHEMAS = {
  webpush: {
    type: "object",
    additionalProperties: false,
    required: ["type", "vapid_private_key", "vapid_contact_email"],
    properties: {
      type: { const: "webpush" },
      vapid_private_key: NAME,
      vapid_public_key: { type: "string", pattern: "^[A-Za-z0-9_-]{87}$" },
      vapid_contact_email: NAME,
      ttl: { type: "integer", minimum: 0, maximum: 2_419_200, default: 86_400 },
    },
  },
  fcm: {
    type: "object",
    additionalProperties: false,
    required: ["type", "project_id", "service_account_file"],
    properties: {
      type: { const: "fcm" },
      project_id: { type: "string", pattern: "^[a-z0-9-]+$" },
      service_account_file: NAME,
      endpoint: { ...URL_STRING, default: "https://fcm.googleapis.com" },
      token_endpoint: { type: "string", pattern: "^https?://", default: "https://oauth2.googleapis.com/token" },
    },
  },
  apns: {
    type: "object",
    additionalProperties: false,
    required: ["type", "team_id", "key_id", "key_file", "topic"],
    properties: {
      type: { const: "apns" },
      team_id: { type: "string", pattern: "^[A-Z0-9]{10}$" },
      key_id: { type: "string", pattern: "^[A-Z0-9]{10}$" },
      key_file: NAME,
      topic: NAME,
      platform: { type: "string", enum: ["production", "sandbox"], default: "production" },
      endpoint: URL_STRING,
    },
  },
} as const;

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validateTopLevel = ajv.compile(TOP_LEVEL_SCHEMA);
const validateApp = {
  webpush: ajv.compile(APP_SCHEMAS.webpush),
  fcm: ajv.compile(APP_SCHEMAS.fcm),
  apns: ajv.compile(APP_SCHEMAS.apns),
};

function describeError(prefix: string, error: ErrorObject): string {
  const key = [prefix, ...error.instancePath.split("/").filter(Boolean)].filter(Boolean).join(".") || "(top level)";
  if (error.keyword === "additionalProperties") return `${key === "(top level)" ? "" : `${key}.`}${(error.params as { additionalProperty: string }).additionalProperty}: unknown key`;
  if (error.keyword === "enum") return `${key}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  if (error.keyword === "required") return `${key === "(top level)" ? "" : `${key}.`}${(error.params as { missingProperty: string }).missingProperty}: required`;
  return `${key}: ${error.message}`;
}

function invalid(errors: string[]): ConfigError {
  return new ConfigError(`invalid push gateway configuration:\n  ${errors.join("\n  ")}`);
}

/** Checks a parsed config and fills in defaults; throws ConfigError naming every wrong key. */
export function buildPushGatewayConfig(raw: unknown): PushGatewayConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid(["(top level): must be a mapping"]);
  const config = structuredClone(raw) as Record<string, unknown>;
  if (!validateTopLevel(config)) throw invalid((validateTopLevel.errors ?? []).map((e) => describeError("", e)));
  const errors: string[] = [];
  const apps = config.apps as Record<string, Record<string, unknown>>;
  for (const [appId, app] of Object.entries(apps)) {
    const validate = validateApp[app.type as AppConfig["type"]];
    if (!validate(app)) errors.push(...(validate.errors ?? []).map((e) => describeError(`apps.${appId}`, e)));
    if (app.type === "apns") app.endpoint ??= app.platform === "sandbox" ? APNS_SANDBOX_ENDPOINT : APNS_PRODUCTION_ENDPOINT;
  }
  if (errors.length > 0) throw invalid(errors);
  return config as unknown as PushGatewayConfig;
}

export async function loadPushGatewayConfig(path: string): Promise<PushGatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read push gateway config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`push gateway config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  return buildPushGatewayConfig(parsed);
}

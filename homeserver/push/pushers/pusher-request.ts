import { errors } from "../../errors.js";
import { requireStorable } from "../../users/text.js";

/** The path the spec requires of an http pusher's data.url (Synapse checks it too). */
export const NOTIFY_PATH = "/_matrix/push/v1/notify";
const MAX_APP_ID_CHARS = 64;
const MAX_PUSHKEY_BYTES = 512;
/** Kinds this server sends: http only (no email notifications). */
const SUPPORTED_KINDS = new Set(["http"]);

export interface PusherFields {
  kind: string;
  appId: string;
  pushkey: string;
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag: string | null;
  lang: string;
  data: Record<string, unknown>;
  /** false: the same (app_id, pushkey) of other users goes. */
  append: boolean;
}

/** What POST /pushers/set asks: delete one pusher (kind null), or create or update one. */
export type PusherRequest = { delete: true; appId: string; pushkey: string } | ({ delete: false } & PusherFields);

const REQUIRED = ["kind", "app_id", "app_display_name", "device_display_name", "pushkey", "lang", "data"] as const;

/**
 * Checks the body before anything is written. Missing fields answer M_MISSING_PARAM (as the spec's example and
 * Synapse), fields of the wrong type or form M_INVALID_PARAM.
 */
export function parsePusherRequest(body: Record<string, unknown>): PusherRequest {
  if (!("kind" in body) || !("app_id" in body) || !("pushkey" in body)) {
    throw errors.missingParam(`Missing params: ${["kind", "app_id", "pushkey"].filter((k) => !(k in body)).join(", ")}`);
  }
  const appId = text(body, "app_id");
  const pushkey = text(body, "pushkey");
  if ([...appId].length > MAX_APP_ID_CHARS) throw errors.invalidParam(`app_id is longer than ${MAX_APP_ID_CHARS} characters`);
  if (Buffer.byteLength(pushkey, "utf8") > MAX_PUSHKEY_BYTES) throw errors.invalidParam(`pushkey is longer than ${MAX_PUSHKEY_BYTES} bytes`);
  if (body.kind === null) return { delete: true, appId, pushkey };

  const missing = REQUIRED.filter((k) => body[k] === undefined);
  if (missing.length > 0) throw errors.missingParam(`Missing params: ${missing.join(", ")}`);
  const kind = text(body, "kind");
  if (!SUPPORTED_KINDS.has(kind)) throw errors.invalidParam(`Unsupported pusher kind '${kind}': this server sends http pushers only`);
  const data = body.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw errors.invalidParam("data must be an object");
  checkHttpData(data as Record<string, unknown>);
  if (body.profile_tag !== undefined && typeof body.profile_tag !== "string") throw errors.invalidParam("profile_tag must be a string");
  if (body.append !== undefined && typeof body.append !== "boolean") throw errors.invalidParam("append must be a boolean");
  return {
    delete: false,
    kind,
    appId,
    pushkey,
    appDisplayName: text(body, "app_display_name"),
    deviceDisplayName: text(body, "device_display_name"),
    profileTag: body.profile_tag === undefined ? null : requireStorable(body.profile_tag as string, "profile_tag"),
    lang: text(body, "lang"),
    data: data as Record<string, unknown>,
    append: body.append === true,
  };
}

function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string") throw errors.invalidParam(`${field} must be a string`);
  if (value === "" && (field === "app_id" || field === "pushkey" || field === "kind")) throw errors.invalidParam(`${field} must not be empty`);
  return requireStorable(value, field);
}

/** data.url: an absolute http(s) URL whose path is the notify endpoint; data.format: event_id_only if given. */
function checkHttpData(data: Record<string, unknown>): void {
  if (data.url === undefined) throw errors.missingParam("'url' required in data for HTTP pusher");
  if (typeof data.url !== "string") throw errors.invalidParam("data.url must be a string");
  let url: URL;
  try {
    url = new URL(data.url);
  } catch {
    throw errors.invalidParam("data.url must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw errors.invalidParam("data.url must be an http or https URL");
  if (url.pathname !== NOTIFY_PATH) throw errors.invalidParam(`data.url must have a path of '${NOTIFY_PATH}'`);
  if (data.format !== undefined && data.format !== "event_id_only") throw errors.invalidParam("data.format must be 'event_id_only' when given");
}

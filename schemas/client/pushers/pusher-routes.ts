import type { ClientRoute } from "../client-route.js";

/** A pusher as GET /pushers lists it. */
export interface PusherJson {
  pushkey: string;
  kind: string;
  app_id: string;
  app_display_name: string;
  device_display_name: string;
  profile_tag?: string;
  lang: string;
  data: Record<string, unknown>;
}

/** GET /_matrix/client/v3/pushers (getPushers). */
export const getPushersRoute: ClientRoute<"required", { response: { pushers: PusherJson[] } }> = {
  method: "GET",
  path: "/_matrix/client/v3/pushers",
  auth: "required",
  rateLimited: false,
};

/**
 * POST /_matrix/client/v3/pushers/set (postPusher). The fields are checked by the service, so that each bad one
 * gets the spec's M_MISSING_PARAM or M_INVALID_PARAM (a schema failure would answer M_BAD_JSON). The spec lists
 * 429 for it: rate limited.
 */
export const setPusherRoute: ClientRoute<"required", { body: Record<string, unknown>; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/pushers/set",
  auth: "required",
  rateLimited: true,
  body: { type: "object" },
};

import type { ClientRoute } from "../client-route.js";

/**
 * The account's third-party identifiers (/account/3pid/*). This server verifies no email or phone number and
 * talks to no identity server, so the list is always empty and the endpoints that would add or bind one
 * answer with the spec's errors; unbinding and deleting succeed with nothing to do ("no-support").
 */
export interface ThreepidsResponse {
  threepids: Array<{ medium: string; address: string; validated_at: number; added_at: number }>;
}

export interface UnbindResponse {
  id_server_unbind_result: "success" | "no-support";
}

const clientSecret = { type: "string", minLength: 1, maxLength: 255, pattern: "^[0-9a-zA-Z.=_-]+$" } as const;
const text = { type: "string", maxLength: 2048 } as const;
const threepidBody = {
  type: "object",
  required: ["medium", "address"],
  properties: { medium: { type: "string", enum: ["email", "msisdn"] }, address: text, id_server: text },
} as const;

export interface ThreepidBody {
  medium: "email" | "msisdn";
  address: string;
  id_server?: string;
}

export const getThreepidsRoute: ClientRoute<"required", { response: ThreepidsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/account/3pid",
  auth: "required",
  rateLimited: false,
};

/** Deprecated post3PIDs: three_pid_creds (or threePidCreds) from an identity server session. */
export const postThreepidsRoute: ClientRoute<"required", { body: Record<string, unknown>; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid",
  auth: "required",
  rateLimited: true,
  body: { type: "object" },
};

export const addThreepidRoute: ClientRoute<"required", { body: { client_secret: string; sid: string; auth?: unknown }; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid/add",
  auth: "required",
  rateLimited: true,
  body: { type: "object", required: ["client_secret", "sid"], properties: { client_secret: clientSecret, sid: text, auth: { type: "object" } } },
};

export const bindThreepidRoute: ClientRoute<
  "required",
  { body: { client_secret: string; sid: string; id_server: string; id_access_token: string }; response: Record<string, never> }
> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid/bind",
  auth: "required",
  rateLimited: true,
  body: {
    type: "object",
    required: ["client_secret", "sid", "id_server", "id_access_token"],
    properties: { client_secret: clientSecret, sid: text, id_server: text, id_access_token: text },
  },
};

export const unbindThreepidRoute: ClientRoute<"required", { body: ThreepidBody; response: UnbindResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid/unbind",
  auth: "required",
  rateLimited: true,
  body: threepidBody,
};

export const deleteThreepidRoute: ClientRoute<"required", { body: ThreepidBody; response: UnbindResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid/delete",
  auth: "required",
  rateLimited: true,
  body: threepidBody,
};

export const emailRequestTokenRoute: ClientRoute<"none", { body: { client_secret: string; email: string; send_attempt: number }; response: { sid: string } }> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid/email/requestToken",
  auth: "none",
  rateLimited: true,
  body: {
    type: "object",
    required: ["client_secret", "email", "send_attempt"],
    properties: { client_secret: clientSecret, email: text, send_attempt: { type: "integer" }, next_link: text, id_server: text, id_access_token: text },
  },
};

export const msisdnRequestTokenRoute: ClientRoute<
  "none",
  { body: { client_secret: string; country: string; phone_number: string; send_attempt: number }; response: { sid: string } }
> = {
  method: "POST",
  path: "/_matrix/client/v3/account/3pid/msisdn/requestToken",
  auth: "none",
  rateLimited: true,
  body: {
    type: "object",
    required: ["client_secret", "country", "phone_number", "send_attempt"],
    properties: {
      client_secret: clientSecret,
      country: text,
      phone_number: text,
      send_attempt: { type: "integer" },
      next_link: text,
      id_server: text,
      id_access_token: text,
    },
  },
};

import type { ServerKeyResponse } from "./get-server-key.js";

/** POST /_matrix/key/v2/query (bulkPerspectivesKeyQuery) and GET /_matrix/key/v2/query/{serverName}. */
export interface KeyQueryCriteria {
  /** The returned keys should be valid until at least this time; the notary uses "now" when absent. */
  minimum_valid_until_ts?: number;
}

export interface KeyQueryRequest {
  /** Server name -> key id -> criteria. No key ids means every key of that server. */
  server_keys: Record<string, Record<string, KeyQueryCriteria>>;
}

export interface KeyQueryResponse {
  /** The origin servers' responses, each additionally signed by the notary. */
  server_keys: ServerKeyResponse[];
}

export const keyQueryRequestSchema = {
  type: "object",
  required: ["server_keys"],
  properties: {
    server_keys: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: {
          type: "object",
          properties: { minimum_valid_until_ts: { type: "integer" } },
        },
      },
    },
  },
} as const;

export const keyQueryByServerQuerystringSchema = {
  type: "object",
  properties: { minimum_valid_until_ts: { type: "integer" } },
} as const;

import type { WirePdu } from "../pdu.js";

/** GET /_matrix/federation/v1/backfill/{roomId}?v=&limit= (backfillRoom). */
export interface BackfillQuery {
  /** The events to start from (repeated parameter). */
  v: string[];
  limit: number;
}

export interface BackfillResponse {
  origin: string;
  origin_server_ts: number;
  pdus: WirePdu[];
}

export const backfillQuery = {
  type: "object",
  required: ["v", "limit"],
  properties: {
    v: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 100 },
    limit: { type: "integer", minimum: 0 },
  },
} as const;

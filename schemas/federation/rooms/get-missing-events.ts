import type { WirePdu } from "../pdu.js";

/** POST /_matrix/federation/v1/get_missing_events/{roomId} (getMissingPreviousEvents). */
export interface GetMissingEventsRequest {
  /** Defaults to 10. */
  limit?: number;
  /** Defaults to 0. */
  min_depth?: number;
  earliest_events: string[];
  latest_events: string[];
}

export interface GetMissingEventsResponse {
  events: WirePdu[];
}

export const getMissingEventsBody = {
  type: "object",
  required: ["earliest_events", "latest_events"],
  properties: {
    limit: { type: "integer" },
    min_depth: { type: "integer" },
    earliest_events: { type: "array", items: { type: "string" } },
    latest_events: { type: "array", items: { type: "string" }, maxItems: 100 },
  },
} as const;

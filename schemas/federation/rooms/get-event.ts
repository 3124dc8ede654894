import type { WirePdu } from "../pdu.js";

/** GET /_matrix/federation/v1/event/{eventId} (getEvent): a transaction holding the one PDU. */
export interface GetEventResponse {
  origin: string;
  origin_server_ts: number;
  pdus: WirePdu[];
}

export const getEventParams = {
  type: "object",
  required: ["eventId"],
  properties: { eventId: { type: "string", minLength: 1 } },
} as const;

export interface GetEventParams {
  eventId: string;
}

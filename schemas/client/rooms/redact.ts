import type { ClientRoute } from "../client-route.js";
import type { SendEventResponse } from "./send-event.js";

/** PUT /rooms/{roomId}/redact/{eventId}/{txnId} */
export const redactParams = {
  type: "object",
  required: ["roomId", "eventId", "txnId"],
  properties: { roomId: { type: "string" }, eventId: { type: "string" }, txnId: { type: "string", minLength: 1 } },
} as const;
/** POST /rooms/{roomId}/redact/{eventId}: the older form without a txnId, which Synapse still serves. */
export const redactWithoutTxnParams = {
  type: "object",
  required: ["roomId", "eventId"],
  properties: { roomId: { type: "string" }, eventId: { type: "string" } },
} as const;
export const redactBody = { type: "object", properties: { reason: { type: "string" } } } as const;

export interface RedactParams {
  roomId: string;
  eventId: string;
  txnId: string;
}

export interface RedactWithoutTxnParams {
  roomId: string;
  eventId: string;
}

export interface RedactRequest {
  reason?: string;
}

export const redactEventRoute: ClientRoute<"required", { params: RedactParams; body: RedactRequest; response: SendEventResponse }> = {
  method: "PUT",
  path: "/_matrix/client/v3/rooms/:roomId/redact/:eventId/:txnId",
  auth: "required",
  rateLimited: true,
  params: redactParams,
  body: redactBody,
};

/** Every request is a new redaction. */
export const redactEventWithoutTxnRoute: ClientRoute<"required", { params: RedactWithoutTxnParams; body: RedactRequest; response: SendEventResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/redact/:eventId",
  auth: "required",
  rateLimited: true,
  params: redactWithoutTxnParams,
  body: redactBody,
};

import type { ClientRoute } from "../client-route.js";
import type { JsonObject } from "../common.js";

/** PUT /rooms/{roomId}/send/{eventType}/{txnId} and PUT /rooms/{roomId}/state/{eventType}/{stateKey} */
export const sendEventParams = {
  type: "object",
  required: ["roomId", "eventType", "txnId"],
  properties: { roomId: { type: "string" }, eventType: { type: "string", minLength: 1 }, txnId: { type: "string", minLength: 1 } },
} as const;

/** POST /rooms/{roomId}/send/{eventType}: the older form without a txnId, which Synapse still serves. */
export const sendEventWithoutTxnParams = {
  type: "object",
  required: ["roomId", "eventType"],
  properties: { roomId: { type: "string" }, eventType: { type: "string", minLength: 1 } },
} as const;

export const stateEventParams = {
  type: "object",
  required: ["roomId", "eventType"],
  properties: { roomId: { type: "string" }, eventType: { type: "string", minLength: 1 }, stateKey: { type: "string" } },
} as const;

/** Event content is any JSON object. */
export const eventContentBody = { type: "object" } as const;

export interface SendEventResponse {
  event_id: string;
}

export interface SendEventParams {
  roomId: string;
  eventType: string;
  txnId: string;
}

export interface SendEventWithoutTxnParams {
  roomId: string;
  eventType: string;
}

/** The empty state key may be left out of the path. */
export interface StateEventParams {
  roomId: string;
  eventType: string;
  stateKey?: string;
}

export const sendEventRoute: ClientRoute<"required", { params: SendEventParams; body: JsonObject; response: SendEventResponse }> = {
  method: "PUT",
  path: "/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId",
  auth: "required",
  rateLimited: true,
  params: sendEventParams,
  body: eventContentBody,
};

/** Without a txnId nothing deduplicates a retry: each request is a new event (Synapse serves this too). */
export const sendEventWithoutTxnRoute: ClientRoute<"required", { params: SendEventWithoutTxnParams; body: JsonObject; response: SendEventResponse }> = {
  method: "POST",
  path: "/_matrix/client/v3/rooms/:roomId/send/:eventType",
  auth: "required",
  rateLimited: true,
  params: sendEventWithoutTxnParams,
  body: eventContentBody,
};

type SetRoomStateTypes = { params: StateEventParams; body: JsonObject; response: SendEventResponse };

export const setRoomStateRoute: ClientRoute<"required", SetRoomStateTypes> = {
  method: "PUT",
  path: "/_matrix/client/v3/rooms/:roomId/state/:eventType",
  auth: "required",
  rateLimited: true,
  params: stateEventParams,
  body: eventContentBody,
};

export const setRoomStateWithKeyRoute: ClientRoute<"required", SetRoomStateTypes> = {
  ...setRoomStateRoute,
  path: "/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey",
};

import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type ClientEventJson, type RoomIdParams } from "./client-event.js";

/** GET /_matrix/client/v3/rooms/{roomId}/state and .../state/{eventType}/{stateKey} */
export const getStateEventParams = {
  type: "object",
  required: ["roomId", "eventType"],
  properties: { roomId: { type: "string", minLength: 1 }, eventType: { type: "string", minLength: 1 }, stateKey: { type: "string" } },
} as const;

export const getStateEventQuery = {
  type: "object",
  properties: { format: { type: "string", enum: ["content", "event"] } },
} as const;

export interface GetStateEventQuery {
  format?: "content" | "event";
}

/** The empty state key may be left out of the path. */
export interface GetStateEventParams {
  roomId: string;
  eventType: string;
  stateKey?: string;
}

export const getStateRoute: ClientRoute<"required", { params: RoomIdParams; response: ClientEventJson[] }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/state",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
};

type GetStateEventTypes = { params: GetStateEventParams; query: GetStateEventQuery; response: ClientEventJson | Record<string, unknown> };

export const getStateEventRoute: ClientRoute<"required", GetStateEventTypes> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/state/:eventType",
  auth: "required",
  rateLimited: false,
  params: getStateEventParams,
  query: getStateEventQuery,
};

export const getStateEventWithKeyRoute: ClientRoute<"required", GetStateEventTypes> = {
  ...getStateEventRoute,
  path: "/_matrix/client/v3/rooms/:roomId/state/:eventType/:stateKey",
};

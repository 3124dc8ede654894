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

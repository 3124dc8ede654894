/**
 * A PDU on the wire. Its format depends on the room version, so the JSON Schema only asks for an object;
 * the core checks the rest (format, size, hashes, signatures) as it does for any event from another server.
 */
export type WirePdu = Record<string, unknown>;

export const wirePduSchema = { type: "object" } as const;

/** The membership event a joining, leaving or knocking server signs and sends (send_join, send_leave, send_knock). */
export const membershipEventSchema = {
  type: "object",
  required: ["type", "sender", "state_key", "content"],
  properties: {
    type: { type: "string" },
    sender: { type: "string" },
    state_key: { type: "string" },
    origin_server_ts: { type: "integer" },
    content: { type: "object", required: ["membership"], properties: { membership: { type: "string" } } },
  },
} as const;

export const roomIdParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: { type: "string", minLength: 1 } },
} as const;

export const roomAndEventParams = {
  type: "object",
  required: ["roomId", "eventId"],
  properties: { roomId: { type: "string", minLength: 1 }, eventId: { type: "string", minLength: 1 } },
} as const;

export const roomAndUserParams = {
  type: "object",
  required: ["roomId", "userId"],
  properties: { roomId: { type: "string", minLength: 1 }, userId: { type: "string", minLength: 1 } },
} as const;

export interface RoomParams {
  roomId: string;
}

export interface RoomAndEventParams {
  roomId: string;
  eventId: string;
}

export interface RoomAndUserParams {
  roomId: string;
  userId: string;
}

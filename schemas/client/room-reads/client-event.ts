/** ClientEvent as the client-server API sends it (the spec's "ClientEvent" schema). */
export interface ClientEventJson {
  content: Record<string, unknown>;
  event_id: string;
  origin_server_ts: number;
  room_id: string;
  sender: string;
  type: string;
  state_key?: string;
  redacts?: string;
  unsigned?: Record<string, unknown>;
}

/** Stripped state of invites and knocks. */
export interface StrippedStateEventJson {
  type: string;
  state_key: string;
  sender: string;
  content: Record<string, unknown>;
}

export const roomIdParams = {
  type: "object",
  required: ["roomId"],
  properties: { roomId: { type: "string", minLength: 1 } },
} as const;

export const roomEventParams = {
  type: "object",
  required: ["roomId", "eventId"],
  properties: { roomId: { type: "string", minLength: 1 }, eventId: { type: "string", minLength: 1 } },
} as const;

export interface RoomIdParams {
  roomId: string;
}

export interface RoomEventParams {
  roomId: string;
  eventId: string;
}

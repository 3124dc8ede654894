import type { WirePdu } from "../pdu.js";

/** PUT /_matrix/federation/v2/invite/{roomId}/{eventId} (sendInviteV2). */
export interface InviteV2Request {
  room_version: string;
  event: WirePdu;
  /** Since v1.16: full PDUs of the room, m.room.create among them. */
  invite_room_state?: WirePdu[];
}

export interface InviteResponse {
  /** The invite with the invited server's signature added. */
  event: WirePdu;
}

/** PUT /_matrix/federation/v1/invite/{roomId}/{eventId} (sendInviteV1): the event itself is the body. */
export type InviteV1Response = [200, InviteResponse];

export const inviteV2Body = {
  type: "object",
  required: ["room_version", "event"],
  properties: {
    room_version: { type: "string" },
    event: { type: "object" },
    invite_room_state: { type: "array", items: { type: "object" } },
  },
} as const;

export const inviteV1Body = {
  type: "object",
  properties: { unsigned: { type: "object", properties: { invite_room_state: { type: "array" } } } },
} as const;

import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type ClientEventJson, type RoomIdParams } from "./client-event.js";

const memberships = ["join", "invite", "knock", "leave", "ban"] as const;
export type MembershipValue = (typeof memberships)[number];

/** GET /_matrix/client/v3/rooms/{roomId}/members */
export const getMembersQuery = {
  type: "object",
  properties: {
    at: { type: "string" },
    membership: { type: "string", enum: memberships },
    not_membership: { type: "string", enum: memberships },
  },
} as const;

export interface GetMembersQuery {
  at?: string;
  membership?: MembershipValue;
  not_membership?: MembershipValue;
}

export interface GetMembersResponse {
  chunk: ClientEventJson[];
}

export const getMembersRoute: ClientRoute<"required", { params: RoomIdParams; query: GetMembersQuery; response: GetMembersResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/members",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
  query: getMembersQuery,
};

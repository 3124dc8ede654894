import type { ClientEventJson } from "./client-event.js";

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

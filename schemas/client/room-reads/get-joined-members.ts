import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type RoomIdParams } from "./client-event.js";

/** GET /_matrix/client/v3/rooms/{roomId}/joined_members */
export interface JoinedMemberJson {
  display_name?: string;
  avatar_url?: string;
}

export interface GetJoinedMembersResponse {
  joined: Record<string, JoinedMemberJson>;
}

export const getJoinedMembersRoute: ClientRoute<"required", { params: RoomIdParams; response: GetJoinedMembersResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/joined_members",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
};

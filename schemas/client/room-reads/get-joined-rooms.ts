import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/joined_rooms */
export interface GetJoinedRoomsResponse {
  joined_rooms: string[];
}

export const getJoinedRoomsRoute: ClientRoute<"required", { response: GetJoinedRoomsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/joined_rooms",
  auth: "required",
  rateLimited: false,
};

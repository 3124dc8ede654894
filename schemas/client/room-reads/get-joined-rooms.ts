/** GET /_matrix/client/v3/joined_rooms */
export interface GetJoinedRoomsResponse {
  joined_rooms: string[];
}

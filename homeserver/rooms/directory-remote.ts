import type { PublicRoomsResponse } from "../../schemas/client/directory/get-public-rooms.js";
import type { PublicRoomsQuery } from "./directory-public-rooms.js";

/**
 * What the directory asks of other servers (federation `query/directory` and `publicRooms`). federation/
 * implements it and app/ passes it in; without it, remote aliases are not found and remote directories refused.
 */
export interface DirectoryRemote {
  /** The room an alias on `serverName` names, or undefined when that server does not know it. */
  queryAlias(serverName: string, alias: string): Promise<{ room_id: string; servers: string[] } | undefined>;
  publicRooms(serverName: string, query: PublicRoomsQuery): Promise<PublicRoomsResponse>;
}

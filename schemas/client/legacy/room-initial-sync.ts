import type { ClientRoute } from "../client-route.js";
import { roomIdParams, type RoomIdParams } from "../room-reads/client-event.js";
import type { AccountDataEventJson, RoomInfoJson } from "./initial-sync.js";

/** GET /_matrix/client/v3/rooms/{roomId}/initialSync (deprecated): one room's state and latest messages. */
export interface RoomInitialSyncResponse extends RoomInfoJson {
  presence?: AccountDataEventJson[];
}

export const roomInitialSyncRoute: ClientRoute<"required", { params: RoomIdParams; response: RoomInitialSyncResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/rooms/:roomId/initialSync",
  auth: "required",
  rateLimited: false,
  params: roomIdParams,
};

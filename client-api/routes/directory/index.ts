import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerSetRoomAlias } from "./set-room-alias.js";
import { registerGetRoomIdByAlias } from "./get-room-id-by-alias.js";
import { registerDeleteRoomAlias } from "./delete-room-alias.js";
import { registerGetLocalAliases } from "./get-local-aliases.js";
import { registerGetRoomVisibility } from "./get-room-visibility.js";
import { registerSetRoomVisibility } from "./set-room-visibility.js";
import { registerGetPublicRooms } from "./get-public-rooms.js";
import { registerQueryPublicRooms } from "./query-public-rooms.js";

/** Spec: "Room aliases", "Room directory" and "Listing rooms". */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerSetRoomAlias(app, ctx);
  registerGetRoomIdByAlias(app, ctx);
  registerDeleteRoomAlias(app, ctx);
  registerGetLocalAliases(app, ctx);
  registerGetRoomVisibility(app, ctx);
  registerSetRoomVisibility(app, ctx);
  registerGetPublicRooms(app, ctx);
  registerQueryPublicRooms(app, ctx);
}

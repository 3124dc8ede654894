import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerCreateRoom } from "./create-room.js";
import { registerSendMessage } from "./send-message.js";
import { registerSetRoomState } from "./set-room-state.js";
import { registerRedactEvent } from "./redact-event.js";
import { registerMembershipRoutes } from "./membership-routes.js";

export function registerRoomsRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerCreateRoom(app, ctx);
  registerSendMessage(app, ctx);
  registerSetRoomState(app, ctx);
  registerRedactEvent(app, ctx);
  registerMembershipRoutes(app, ctx);
}

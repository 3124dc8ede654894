import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetContext } from "./get-context.js";
import { registerGetEvent } from "./get-event.js";
import { registerGetJoinedMembers } from "./get-joined-members.js";
import { registerGetJoinedRooms } from "./get-joined-rooms.js";
import { registerGetMembers } from "./get-members.js";
import { registerGetMessages } from "./get-messages.js";
import { registerGetState } from "./get-state.js";

/** Reading rooms: /messages, /context, /event, /state, /members, /joined_members, /joined_rooms. */
export function registerRoomReadsRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetMessages(app, ctx);
  registerGetContext(app, ctx);
  registerGetEvent(app, ctx);
  registerGetState(app, ctx);
  registerGetMembers(app, ctx);
  registerGetJoinedMembers(app, ctx);
  registerGetJoinedRooms(app, ctx);
}

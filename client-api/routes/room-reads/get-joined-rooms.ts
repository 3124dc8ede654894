import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getJoinedRoomsRoute } from "../../../schemas/client/room-reads/get-joined-rooms.js";

export function registerGetJoinedRooms(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getJoinedRoomsRoute, async (_request, requester) => ({
    joined_rooms: await ctx.services.roomState.joinedRooms(requester),
  }));
}

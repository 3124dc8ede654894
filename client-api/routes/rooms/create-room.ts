import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { createRoomRoute } from "../../../schemas/client/rooms/create-room.js";

export function registerCreateRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, createRoomRoute, async ({ body }, requester) => ({
    room_id: await ctx.services.rooms.createRoom(requester, body),
  }));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { createRoomBody } from "../../../schemas/client/rooms/create-room.js";
import type { CreateRoomRequest } from "../../../homeserver/rooms/create-room.js";

export function registerCreateRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/createRoom", { schema: { body: createRoomBody } }, async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const roomId = await ctx.app.rooms.service.createRoom(requester, request.body as CreateRoomRequest);
    return { room_id: roomId };
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getPublicRoomsRoute } from "../../../schemas/client/directory/get-public-rooms.js";

export function registerGetPublicRooms(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getPublicRoomsRoute, async ({ query }) => {
    const { limit, since, server } = query;
    return ctx.services.directory.publicRooms({ limit, since }, server);
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { queryPublicRoomsRoute } from "../../../schemas/client/directory/query-public-rooms.js";

/** Application-service networks do not exist here, so include_all_networks and third_party_instance_id change nothing. */
export function registerQueryPublicRooms(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, queryPublicRoomsRoute, async ({ query, body }) => {
    const { limit, since, filter } = body;
    return ctx.services.directory.publicRooms({ limit, since, filter }, query.server);
  });
}

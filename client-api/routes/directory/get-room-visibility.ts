import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getRoomVisibilityRoute } from "../../../schemas/client/directory/get-room-visibility.js";

export function registerGetRoomVisibility(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getRoomVisibilityRoute, async ({ params }) => ({ visibility: await ctx.services.directory.visibility(params.roomId) }));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setRoomVisibilityRoute } from "../../../schemas/client/directory/set-room-visibility.js";

export function registerSetRoomVisibility(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setRoomVisibilityRoute, async ({ params, body }, requester) => {
    // The spec's default: a body without visibility means "publish".
    await ctx.services.directory.setVisibility(requester, params.roomId, body.visibility ?? "public");
    return {};
  });
}

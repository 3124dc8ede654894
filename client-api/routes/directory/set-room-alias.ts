import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setRoomAliasRoute } from "../../../schemas/client/directory/set-room-alias.js";

export function registerSetRoomAlias(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setRoomAliasRoute, async ({ params, body }, requester) => {
    await ctx.services.directory.createAlias(requester, params.roomAlias, body.room_id);
    return {};
  });
}

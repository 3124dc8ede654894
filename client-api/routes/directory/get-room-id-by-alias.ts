import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getRoomIdByAliasRoute } from "../../../schemas/client/directory/get-room-id-by-alias.js";

export function registerGetRoomIdByAlias(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getRoomIdByAliasRoute, async ({ params }) => ctx.services.directory.resolveAlias(params.roomAlias));
}

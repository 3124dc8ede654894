import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { upgradeRoomRoute } from "../../../schemas/client/upgrade/upgrade-room.js";

export function registerUpgradeRoom(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, upgradeRoomRoute, async ({ params, body }, requester) => ({
    replacement_room: await ctx.services.upgrades.upgrade(requester, params.roomId, body),
  }));
}

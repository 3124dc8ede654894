import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineCheckedRoute } from "../../http/define-route.js";
import { setRoomTagRoute } from "../../../schemas/client/account-data/set-room-tag.js";
import { requireOwnUser, requireRoomId } from "./checks.js";

export function registerSetRoomTag(app: FastifyInstance, ctx: ClientApiContext): void {
  defineCheckedRoute(
    app,
    ctx.guards,
    setRoomTagRoute,
    ({ params }, requester) => {
      requireOwnUser(requester, params.userId);
      requireRoomId(params.roomId);
    },
    async ({ params, body }) => {
      await ctx.services.accountData.putTag(params.userId, params.roomId, params.tag, body);
      return {};
    },
  );
}

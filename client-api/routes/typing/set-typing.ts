import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setTypingRoute } from "../../../schemas/client/typing/set-typing.js";

export function registerSetTyping(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setTypingRoute, async ({ params, body }, requester) => {
    await ctx.services.typing.setTyping(requester, params.roomId, params.userId, body.typing, body.timeout);
    return {};
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  setTypingBodySchema,
  setTypingParamsSchema,
  type SetTypingParams,
  type SetTypingRequest,
} from "../../../schemas/client/typing/set-typing.js";

export function registerSetTyping(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put("/_matrix/client/v3/rooms/:roomId/typing/:userId", { schema: { params: setTypingParamsSchema, body: setTypingBodySchema } }, async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { roomId, userId } = request.params as SetTypingParams;
    const { typing, timeout } = request.body as SetTypingRequest;
    await ctx.app.edus.typing.setTyping(requester, roomId, userId, typing, timeout);
    return {};
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { PresenceParams } from "../../../schemas/client/presence/presence-params.js";
import { setPresenceBodySchema, setPresenceParamsSchema, type SetPresenceRequest } from "../../../schemas/client/presence/set-presence.js";

export function registerSetPresence(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put("/_matrix/client/v3/presence/:userId/status", { schema: { params: setPresenceParamsSchema, body: setPresenceBodySchema } }, async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const { presence, status_msg: statusMsg } = request.body as SetPresenceRequest;
    await ctx.app.edus.presence.setFromClient(requester, (request.params as PresenceParams).userId, presence, statusMsg);
    return {};
  });
}

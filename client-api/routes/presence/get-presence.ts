import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { PresenceParams } from "../../../schemas/client/presence/presence-params.js";
import { getPresenceParamsSchema, type GetPresenceResponse } from "../../../schemas/client/presence/get-presence.js";

export function registerGetPresence(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/presence/:userId/status", { schema: { params: getPresenceParamsSchema } }, async (request): Promise<GetPresenceResponse> => {
    const requester = await ctx.auth(request);
    return ctx.app.edus.presence.getFor(requester, (request.params as PresenceParams).userId);
  });
}

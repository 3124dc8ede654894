import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { refreshBodySchema, type RefreshRequest, type RefreshResponse } from "../../../schemas/client/account/refresh.js";

export function registerRefresh(app: FastifyInstance, ctx: ClientApiContext): void {
  // No access token required: the client calls this precisely when its access token has expired.
  app.post("/_matrix/client/v3/refresh", { schema: { body: refreshBodySchema } }, async (request): Promise<RefreshResponse> => {
    ctx.rateLimit(request.ip);
    return ctx.app.users.sessions.refresh((request.body as RefreshRequest).refresh_token);
  });
}

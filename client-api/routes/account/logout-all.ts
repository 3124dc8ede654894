import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { requireUser } from "../../http/auth.js";
import type { LogoutAllResponse } from "../../../schemas/client/account/logout-all.js";

export function registerLogoutAll(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/logout/all", async (request): Promise<LogoutAllResponse> => {
    const requester = await requireUser(request, { authenticate: (token) => ctx.app.users.auth.authenticate(token, { allowExpired: true }) });
    await ctx.app.users.sessions.logoutAll(requester);
    return {};
  });
}

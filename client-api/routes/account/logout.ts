import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { requireUser } from "../../http/auth.js";
import type { LogoutResponse } from "../../../schemas/client/account/logout.js";

export function registerLogout(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/logout", async (request): Promise<LogoutResponse> => {
    // An expired (soft-logged-out) token may still log out, so the client can clean up its session.
    const requester = await requireUser(request, { authenticate: (token) => ctx.app.users.auth.authenticate(token, { allowExpired: true }) });
    await ctx.app.users.sessions.logout(requester);
    return {};
  });
}

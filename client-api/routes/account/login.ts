import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { loginBodySchema, type LoginRequest, type LoginResponse } from "../../../schemas/client/account/login.js";
import { wellKnownOf } from "../discovery/get-wellknown.js";

export function registerLogin(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/login", { schema: { body: loginBodySchema } }, async (request): Promise<LoginResponse> => {
    ctx.rateLimit(request.ip);
    const session = await ctx.app.users.sessions.login(request.body as LoginRequest & Record<string, unknown>, request.ip);
    return { ...session, home_server: ctx.app.serverName, well_known: wellKnownOf(ctx.app.config.public_baseurl) };
  });
}

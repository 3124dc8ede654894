import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { changePasswordBodySchema, type ChangePasswordRequest } from "../../../schemas/client/account/change-password.js";

export function registerChangePassword(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/account/password", { schema: { body: changePasswordBodySchema } }, async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    await ctx.app.users.accounts.changePassword(requester, request.body as ChangePasswordRequest);
    return {};
  });
}

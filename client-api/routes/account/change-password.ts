import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { changePasswordRoute } from "../../../schemas/client/account/change-password.js";

export function registerChangePassword(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, changePasswordRoute, async ({ body }, requester) => {
    await ctx.services.accounts.changePassword(requester, body);
    return {};
  });
}

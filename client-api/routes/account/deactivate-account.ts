import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { deactivateAccountRoute } from "../../../schemas/client/account/deactivate-account.js";

export function registerDeactivateAccount(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, deactivateAccountRoute, async ({ body }, requester) => {
    await ctx.services.accounts.deactivate(requester, body);
    // This server keeps no third-party identifiers, so there is nothing to unbind anywhere.
    return { id_server_unbind_result: "no-support" };
  });
}

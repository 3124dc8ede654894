import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { setAccountDataRoute } from "../../../schemas/client/account-data/set-account-data.js";
import { requireOwnUser } from "./checks.js";

export function registerSetAccountData(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setAccountDataRoute, async ({ params, body }, requester) => {
    const { userId, type } = params;
    requireOwnUser(requester, userId);
    await ctx.services.accountData.setFromClient(userId, null, type, body);
    return {};
  });
}

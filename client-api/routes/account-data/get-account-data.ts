import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { getAccountDataRoute } from "../../../schemas/client/account-data/get-account-data.js";
import { requireOwnUser } from "./checks.js";

export function registerGetAccountData(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getAccountDataRoute, async ({ params }, requester) => {
    const { userId, type } = params;
    requireOwnUser(requester, userId);
    const content = await ctx.services.accountData.get(userId, null, type);
    if (content === undefined) throw errors.notFound("Account data not found");
    return content;
  });
}

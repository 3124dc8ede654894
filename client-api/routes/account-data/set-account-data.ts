import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineCheckedRoute } from "../../http/define-route.js";
import { setAccountDataRoute } from "../../../schemas/client/account-data/set-account-data.js";
import { requireOwnUser } from "./checks.js";

export function registerSetAccountData(app: FastifyInstance, ctx: ClientApiContext): void {
  defineCheckedRoute(
    app,
    ctx.guards,
    setAccountDataRoute,
    ({ params }, requester) => requireOwnUser(requester, params.userId),
    async ({ params, body }) => {
      await ctx.services.accountData.setFromClient(params.userId, null, params.type, body);
      return {};
    },
  );
}

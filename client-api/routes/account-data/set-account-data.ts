import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  setAccountDataBodySchema,
  setAccountDataParamsSchema,
  type SetAccountDataRequest,
} from "../../../schemas/client/account-data/set-account-data.js";
import type { AccountDataParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser } from "./checks.js";

export function registerSetAccountData(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/user/:userId/account_data/:type",
    { schema: { params: setAccountDataParamsSchema, body: setAccountDataBodySchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      const { userId, type } = request.params as AccountDataParams;
      requireOwnUser(requester, userId);
      ctx.rateLimit(requester.userId);
      await ctx.app.users.accountData.setFromClient(userId, null, type, request.body as SetAccountDataRequest);
      return {};
    },
  );
}

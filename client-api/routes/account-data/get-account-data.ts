import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import { getAccountDataParamsSchema, type GetAccountDataResponse } from "../../../schemas/client/account-data/get-account-data.js";
import type { AccountDataParams } from "../../../schemas/client/account-data/account-data-params.js";
import { requireOwnUser } from "./checks.js";

export function registerGetAccountData(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/user/:userId/account_data/:type",
    { schema: { params: getAccountDataParamsSchema } },
    async (request): Promise<GetAccountDataResponse> => {
      const requester = await ctx.auth(request);
      const { userId, type } = request.params as AccountDataParams;
      requireOwnUser(requester, userId);
      const content = await ctx.app.users.accountData.get(userId, null, type);
      if (content === undefined) throw errors.notFound("Account data not found");
      return content;
    },
  );
}

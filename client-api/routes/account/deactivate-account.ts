import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  deactivateAccountBodySchema,
  type DeactivateAccountRequest,
  type DeactivateAccountResponse,
} from "../../../schemas/client/account/deactivate-account.js";

export function registerDeactivateAccount(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post(
    "/_matrix/client/v3/account/deactivate",
    { schema: { body: deactivateAccountBodySchema } },
    async (request): Promise<DeactivateAccountResponse> => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      await ctx.app.users.accounts.deactivate(requester, request.body as DeactivateAccountRequest);
      // This server keeps no third-party identifiers, so there is nothing to unbind anywhere.
      return { id_server_unbind_result: "no-support" };
    },
  );
}

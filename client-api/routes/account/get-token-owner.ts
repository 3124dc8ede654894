import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { GetTokenOwnerResponse } from "../../../schemas/client/account/get-token-owner.js";

export function registerGetTokenOwner(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/account/whoami", async (request): Promise<GetTokenOwnerResponse> => {
    const requester = await ctx.auth(request);
    return { user_id: requester.userId, device_id: requester.deviceId, is_guest: false };
  });
}

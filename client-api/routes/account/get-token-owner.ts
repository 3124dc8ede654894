import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getTokenOwnerRoute } from "../../../schemas/client/account/get-token-owner.js";

export function registerGetTokenOwner(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getTokenOwnerRoute, async (_request, requester) => ({
    user_id: requester.userId,
    device_id: requester.deviceId,
    is_guest: requester.isGuest === true,
  }));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { requestOpenIdTokenRoute } from "../../../schemas/client/openid/request-openid-token.js";

/** POST /user/{userId}/openid/request_token: only for the caller's own user id (403 otherwise). */
export function registerOpenIdRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, requestOpenIdTokenRoute, async ({ params }, requester) => ctx.services.openid.issue(requester, params.userId));
}

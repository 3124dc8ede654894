import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getGlobalPushRulesRoute, getPushRulesRoute } from "../../../schemas/client/push-rules/push-rule-routes.js";

export function registerGetPushRules(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getPushRulesRoute, async (_request, requester) => await ctx.services.pushRules.content(requester.userId));
  defineRoute(app, ctx.guards, getGlobalPushRulesRoute, async (_request, requester) => await ctx.services.pushRules.ruleset(requester.userId));
}

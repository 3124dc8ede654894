import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getPushRuleActionsRoute, getPushRuleEnabledRoute, getPushRuleRoute } from "../../../schemas/client/push-rules/push-rule-routes.js";
import { ruleKindOf } from "./rule-path.js";

/** One rule, or one of its attributes (`enabled`, `actions`). */
export function registerGetPushRule(app: FastifyInstance, ctx: ClientApiContext): void {
  const { pushRules } = ctx.services;
  defineRoute(app, ctx.guards, getPushRuleRoute, async ({ params }, requester) => await pushRules.rule(requester.userId, ruleKindOf(params.kind), params.ruleId));
  defineRoute(app, ctx.guards, getPushRuleEnabledRoute, async ({ params }, requester) => {
    const { enabled } = await pushRules.rule(requester.userId, ruleKindOf(params.kind), params.ruleId);
    return { enabled };
  });
  defineRoute(app, ctx.guards, getPushRuleActionsRoute, async ({ params }, requester) => {
    const { actions } = await pushRules.rule(requester.userId, ruleKindOf(params.kind), params.ruleId);
    return { actions };
  });
}

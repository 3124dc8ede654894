import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import {
  deletePushRuleRoute,
  putPushRuleActionsRoute,
  putPushRuleEnabledRoute,
  putPushRuleRoute,
} from "../../../schemas/client/push-rules/push-rule-routes.js";
import { ruleKindOf } from "./rule-path.js";

/** Adding, replacing and deleting a rule, and setting `enabled` or `actions` on any rule (server defaults included). */
export function registerSetPushRule(app: FastifyInstance, ctx: ClientApiContext): void {
  const { pushRules } = ctx.services;
  defineRoute(app, ctx.guards, putPushRuleRoute, async ({ params, query, body }, requester) => {
    await pushRules.putRule(requester.userId, ruleKindOf(params.kind), params.ruleId, body, { before: query.before, after: query.after });
    return {};
  });
  defineRoute(app, ctx.guards, deletePushRuleRoute, async ({ params }, requester) => {
    await pushRules.deleteRule(requester.userId, ruleKindOf(params.kind), params.ruleId);
    return {};
  });
  defineRoute(app, ctx.guards, putPushRuleEnabledRoute, async ({ params, body }, requester) => {
    await pushRules.setEnabled(requester.userId, ruleKindOf(params.kind), params.ruleId, body.enabled);
    return {};
  });
  defineRoute(app, ctx.guards, putPushRuleActionsRoute, async ({ params, body }, requester) => {
    await pushRules.setActions(requester.userId, ruleKindOf(params.kind), params.ruleId, body.actions);
    return {};
  });
}

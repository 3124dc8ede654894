import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetPushRule } from "./get-push-rule.js";
import { registerGetPushRules } from "./get-push-rules.js";
import { registerSetPushRule } from "./set-push-rule.js";
import { registerGetNotifications } from "./get-notifications.js";

export function registerPushRulesRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetPushRules(app, ctx);
  registerGetPushRule(app, ctx);
  registerSetPushRule(app, ctx);
  registerGetNotifications(app, ctx);
}

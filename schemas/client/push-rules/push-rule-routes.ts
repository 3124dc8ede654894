import type { ClientRoute } from "../client-route.js";
import type { PushAction, PushRule, Ruleset } from "./push-rule.js";

/** `{kind}` and `{ruleId}` of /pushrules/global/{kind}/{ruleId}[/{attr}]; the kind is checked by the handler (400 M_INVALID_PARAM). */
export interface PushRuleParams {
  kind: string;
  ruleId: string;
}

const ruleParams = {
  type: "object",
  required: ["kind", "ruleId"],
  properties: { kind: { type: "string", minLength: 1 }, ruleId: { type: "string", minLength: 1 } },
} as const;

const RULE_PATH = "/_matrix/client/v3/pushrules/global/:kind/:ruleId";

/** GET /_matrix/client/v3/pushrules/ (getPushRules): every ruleset, of which the spec has one, `global`. */
export const getPushRulesRoute: ClientRoute<"required", { response: { global: Ruleset } }> = {
  method: "GET",
  path: "/_matrix/client/v3/pushrules/",
  auth: "required",
  rateLimited: false,
};

/** GET /_matrix/client/v3/pushrules/global/ (getPushRulesGlobal, v1.?): the global ruleset itself. */
export const getGlobalPushRulesRoute: ClientRoute<"required", { response: Ruleset }> = {
  method: "GET",
  path: "/_matrix/client/v3/pushrules/global/",
  auth: "required",
  rateLimited: false,
};

/** GET .../pushrules/global/{kind}/{ruleId} (getPushRule). */
export const getPushRuleRoute: ClientRoute<"required", { params: PushRuleParams; response: PushRule }> = {
  method: "GET",
  path: RULE_PATH,
  auth: "required",
  rateLimited: false,
  params: ruleParams,
};

export interface PutPushRuleQuery {
  before?: string;
  after?: string;
}

export interface PutPushRuleBody {
  actions?: unknown;
  conditions?: unknown;
  pattern?: unknown;
}

/** PUT .../pushrules/global/{kind}/{ruleId}?before=&after= (setPushRule). */
export const putPushRuleRoute: ClientRoute<"required", { params: PushRuleParams; query: PutPushRuleQuery; body: PutPushRuleBody; response: Record<string, never> }> = {
  method: "PUT",
  path: RULE_PATH,
  auth: "required",
  rateLimited: true,
  params: ruleParams,
  query: { type: "object", properties: { before: { type: "string" }, after: { type: "string" } } },
  body: { type: "object" },
};

/** DELETE .../pushrules/global/{kind}/{ruleId} (deletePushRule). */
export const deletePushRuleRoute: ClientRoute<"required", { params: PushRuleParams; response: Record<string, never> }> = {
  method: "DELETE",
  path: RULE_PATH,
  auth: "required",
  rateLimited: false,
  params: ruleParams,
};

export const getPushRuleEnabledRoute: ClientRoute<"required", { params: PushRuleParams; response: { enabled: boolean } }> = {
  method: "GET",
  path: `${RULE_PATH}/enabled`,
  auth: "required",
  rateLimited: false,
  params: ruleParams,
};

export const putPushRuleEnabledRoute: ClientRoute<"required", { params: PushRuleParams; body: { enabled?: unknown }; response: Record<string, never> }> = {
  method: "PUT",
  path: `${RULE_PATH}/enabled`,
  auth: "required",
  rateLimited: false,
  params: ruleParams,
  body: { type: "object" },
};

export const getPushRuleActionsRoute: ClientRoute<"required", { params: PushRuleParams; response: { actions: PushAction[] } }> = {
  method: "GET",
  path: `${RULE_PATH}/actions`,
  auth: "required",
  rateLimited: false,
  params: ruleParams,
};

export const putPushRuleActionsRoute: ClientRoute<"required", { params: PushRuleParams; body: { actions?: unknown }; response: Record<string, never> }> = {
  method: "PUT",
  path: `${RULE_PATH}/actions`,
  auth: "required",
  rateLimited: false,
  params: ruleParams,
  body: { type: "object" },
};

import { RULE_KINDS, type RuleKind, type Ruleset } from "../../../schemas/client/push-rules/push-rule.js";

export { RULE_KINDS, type PushAction, type PushCondition, type PushRule, type RuleKind, type Ruleset } from "../../../schemas/client/push-rules/push-rule.js";

export function isRuleKind(value: string): value is RuleKind {
  return (RULE_KINDS as readonly string[]).includes(value);
}

export const emptyRuleset = (): Ruleset => ({ override: [], content: [], room: [], sender: [], underride: [] });

/** Server-default rules are the ones whose id starts with a dot; clients may neither add nor delete them. */
export const isServerDefault = (ruleId: string): boolean => ruleId.startsWith(".");

import { errors } from "../../../homeserver/errors.js";
import { RULE_KINDS, type RuleKind } from "../../../schemas/client/push-rules/push-rule.js";

/** The `{kind}` of a rule path; anything else is Synapse's 400 M_UNRECOGNIZED. */
export function ruleKindOf(kind: string): RuleKind {
  if (!(RULE_KINDS as readonly string[]).includes(kind)) throw errors.unrecognized(`Unknown push rule kind ${kind}`, 400);
  return kind as RuleKind;
}

import { errors } from "../../../homeserver/errors.js";
import { RULE_KINDS, type RuleKind } from "../../../schemas/client/push-rules/push-rule.js";

/** The `{kind}` of a rule path; anything else is a 400 M_INVALID_PARAM (Synapse says 400 "unrecognised"). */
export function ruleKindOf(kind: string): RuleKind {
  if (!(RULE_KINDS as readonly string[]).includes(kind)) throw errors.invalidParam(`Unknown push rule kind ${kind}`);
  return kind as RuleKind;
}

import type { PushAction, PushRule, Ruleset } from "../../users/push-rules/push-rule.js";
import { LEGACY_MENTION_RULES } from "../../users/push-rules/default-rules.js";
import { conditionHolds, type EventContext, type MemberContext } from "./conditions.js";
import { globMatches } from "./glob.js";

export interface PushOutcome {
  actions: PushAction[];
  notify: boolean;
  highlight: boolean;
}

/**
 * The first enabled rule that matches, kind by kind in the spec's order; undefined when none does (no
 * notification). The rules the spec deprecated in favour of `m.mentions` are skipped for events that carry it.
 */
export function evaluateRules(ruleset: Ruleset, ctx: EventContext, member: MemberContext, hasMentions: boolean): PushOutcome | undefined {
  const matched =
    firstMatch(ruleset.override, (r) => (r.conditions ?? []).every((c) => conditionHolds(c, ctx, member)), hasMentions) ??
    firstMatch(ruleset.content, (r) => typeof r.pattern === "string" && ctx.body !== undefined && globMatches(r.pattern, ctx.body, true), hasMentions) ??
    firstMatch(ruleset.room, (r) => ctx.event.room_id === r.rule_id, hasMentions) ??
    firstMatch(ruleset.sender, (r) => ctx.event.sender === r.rule_id, hasMentions) ??
    firstMatch(ruleset.underride, (r) => (r.conditions ?? []).every((c) => conditionHolds(c, ctx, member)), hasMentions);
  if (!matched) return undefined;
  return outcomeOf(matched.actions);
}

function firstMatch(rules: readonly PushRule[], matches: (rule: PushRule) => boolean, hasMentions: boolean): PushRule | undefined {
  for (const rule of rules) {
    if (!rule.enabled) continue;
    if (hasMentions && LEGACY_MENTION_RULES.has(rule.rule_id)) continue;
    if (matches(rule)) return rule;
  }
  return undefined;
}

function outcomeOf(actions: PushAction[]): PushOutcome {
  let notify = false;
  let highlight = false;
  for (const action of actions) {
    if (action === "notify") notify = true;
    else if (typeof action === "object" && action.set_tweak === "highlight") highlight = action.value === undefined || action.value === true;
  }
  return { actions, notify, highlight };
}

import { defaultRuleset } from "./default-rules.js";
import { emptyRuleset, isServerDefault, RULE_KINDS, type PushAction, type PushRule, type RuleKind, type Ruleset } from "./push-rule.js";

/** What a user changed: their own rules per kind, highest priority first, and the state of the server-default ones. */
export interface UserRules {
  own: Ruleset;
  /** Server-default rule id -> what the user set on it. */
  defaults: Map<string, { enabled: boolean; actions: PushAction[] }>;
}

/**
 * The user's rules as stored: the whole ruleset (the `m.push_rules` account data content, as sync sends it).
 * Read back against the current server defaults, so a default rule added in a later release reaches users who
 * changed something before it existed, and a default rule since dropped disappears.
 */
export function userRulesOf(stored: Record<string, unknown> | undefined): UserRules {
  const rules: UserRules = { own: emptyRuleset(), defaults: new Map() };
  const global = stored?.global;
  if (typeof global !== "object" || global === null) return rules;
  for (const kind of RULE_KINDS) {
    const list = (global as Record<string, unknown>)[kind];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (typeof item !== "object" || item === null) continue;
      const r = item as PushRule;
      if (typeof r.rule_id !== "string" || !Array.isArray(r.actions)) continue;
      if (isServerDefault(r.rule_id)) rules.defaults.set(r.rule_id, { enabled: r.enabled !== false, actions: r.actions });
      else rules.own[kind].push({ ...r, default: false, enabled: r.enabled !== false });
    }
  }
  return rules;
}

/**
 * The full ruleset in evaluation order: `.m.rule.master` first of all, then per kind the user's rules before
 * the server's (the spec puts server-default rules below user-defined ones, except the master rule).
 */
export function composeRuleset(userId: string, rules: UserRules): Ruleset {
  const defaults = defaultRuleset(userId);
  const adjusted = (r: PushRule): PushRule => {
    const set = rules.defaults.get(r.rule_id);
    return set ? { ...r, enabled: set.enabled, actions: set.actions } : r;
  };
  const result = emptyRuleset();
  for (const kind of RULE_KINDS) {
    const server = defaults[kind].map(adjusted);
    if (kind === "override") {
      const [master, ...rest] = server;
      result.override = [master, ...rules.own.override, ...rest];
    } else {
      result[kind] = [...rules.own[kind], ...server];
    }
  }
  return result;
}

export function findRule(ruleset: Ruleset, kind: RuleKind, ruleId: string): PushRule | undefined {
  return ruleset[kind].find((r) => r.rule_id === ruleId);
}

import { errors } from "../../errors.js";
import type { AccountDataService } from "../account-data.js";
import { isServerDefault, type PushAction, type PushCondition, type PushRule, type RuleKind, type Ruleset } from "./push-rule.js";
import { composeRuleset, findRule, userRulesOf, type UserRules } from "./user-rules.js";

export const PUSH_RULES_TYPE = "m.push_rules";

/** The body of PUT /pushrules/global/{kind}/{ruleId}. */
export interface PushRuleBody {
  actions?: unknown;
  conditions?: unknown;
  pattern?: unknown;
}

/** Actions the spec calls historical: ignored, and stripped from what is stored. */
const HISTORICAL_ACTIONS = new Set(["dont_notify", "coalesce"]);

/**
 * A user's push rules: the server defaults with what the user changed laid over them, stored as the
 * `m.push_rules` account data (so every change reaches the user's other clients through sync, as the spec
 * asks). Writes are read-modify-write under the user's account-data lock.
 */
export class PushRulesService {
  constructor(private readonly accountData: Pick<AccountDataService, "get" | "update">) {}

  async ruleset(userId: string): Promise<Ruleset> {
    return composeRuleset(userId, userRulesOf(await this.accountData.get(userId, null, PUSH_RULES_TYPE)));
  }

  /** The account data content as sync and GET /pushrules/ give it. */
  async content(userId: string): Promise<{ global: Ruleset }> {
    return { global: await this.ruleset(userId) };
  }

  /** The whole ruleset from a stored `m.push_rules` content (sync reads the row itself). */
  contentFromStored(userId: string, stored: Record<string, unknown> | undefined): { global: Ruleset } {
    return { global: composeRuleset(userId, userRulesOf(stored)) };
  }

  async rule(userId: string, kind: RuleKind, ruleId: string): Promise<PushRule> {
    const found = findRule(await this.ruleset(userId), kind, ruleId);
    if (!found) throw errors.notFound("Unknown push rule");
    return found;
  }

  /** Adds or replaces one of the user's own rules; `before`/`after` name another of their rules of the same kind. */
  async putRule(userId: string, kind: RuleKind, ruleId: string, body: PushRuleBody, place: { before?: string; after?: string }): Promise<void> {
    if (isServerDefault(ruleId)) throw errors.unknown("cannot add new rule_ids that start with '.'");
    if (ruleId.includes("/") || ruleId.includes("\\")) throw errors.unknown("rule_id may not contain slashes");
    const rule = ruleFromBody(kind, ruleId, body);
    await this.change(userId, (rules) => {
      const list = rules.own[kind].filter((r) => r.rule_id !== ruleId);
      const anchor = place.before ?? place.after;
      if (anchor === undefined) {
        list.unshift(rule);
      } else {
        if (isServerDefault(anchor)) throw errors.unknown("before/after rule must be a user-defined rule");
        const at = list.findIndex((r) => r.rule_id === anchor);
        if (at < 0) throw errors.unknown(`before/after rule not found: ${anchor}`);
        list.splice(place.before !== undefined ? at : at + 1, 0, rule);
      }
      rules.own[kind] = list;
    });
  }

  async deleteRule(userId: string, kind: RuleKind, ruleId: string): Promise<void> {
    await this.change(userId, (rules) => {
      const list = rules.own[kind];
      if (!list.some((r) => r.rule_id === ruleId)) throw errors.notFound("Unknown push rule");
      rules.own[kind] = list.filter((r) => r.rule_id !== ruleId);
    });
  }

  async setEnabled(userId: string, kind: RuleKind, ruleId: string, enabled: unknown): Promise<void> {
    if (typeof enabled !== "boolean") throw errors.badJson("'enabled' must be a boolean");
    await this.changeRule(userId, kind, ruleId, (r) => ({ ...r, enabled }));
  }

  async setActions(userId: string, kind: RuleKind, ruleId: string, actions: unknown): Promise<void> {
    const checked = checkActions(actions);
    await this.changeRule(userId, kind, ruleId, (r) => ({ ...r, actions: checked }));
  }

  private async changeRule(userId: string, kind: RuleKind, ruleId: string, change: (rule: PushRule) => PushRule): Promise<void> {
    await this.change(userId, (rules) => {
      if (isServerDefault(ruleId)) {
        const current = findRule(composeRuleset(userId, rules), kind, ruleId);
        if (!current) throw errors.notFound("Unknown push rule");
        const changed = change(current);
        rules.defaults.set(ruleId, { enabled: changed.enabled, actions: changed.actions });
        return;
      }
      const at = rules.own[kind].findIndex((r) => r.rule_id === ruleId);
      if (at < 0) throw errors.notFound("Unknown push rule");
      rules.own[kind][at] = change(rules.own[kind][at]);
    });
  }

  private async change(userId: string, change: (rules: UserRules) => void): Promise<void> {
    await this.accountData.update(userId, null, PUSH_RULES_TYPE, (stored) => {
      const rules = userRulesOf(stored);
      change(rules);
      return { global: composeRuleset(userId, rules) };
    });
  }
}

function ruleFromBody(kind: RuleKind, ruleId: string, body: PushRuleBody): PushRule {
  if (body.actions === undefined) throw errors.unknown("No actions found");
  const rule: PushRule = { rule_id: ruleId, default: false, enabled: true, actions: checkActions(body.actions) };
  if (kind === "override" || kind === "underride") {
    // Synapse asks for the key; an empty list is a rule that always matches.
    if (body.conditions === undefined) throw errors.unknown("Missing 'conditions'");
    rule.conditions = checkConditions(body.conditions);
  } else if (kind === "content") {
    if (typeof body.pattern !== "string") throw errors.unknown("Content rule missing 'pattern'");
    rule.pattern = body.pattern;
  }
  return rule;
}

function checkConditions(conditions: unknown): PushCondition[] {
  if (!Array.isArray(conditions)) throw errors.unknown("'conditions' must be a list");
  for (const c of conditions) {
    if (typeof c !== "object" || c === null || Array.isArray(c) || typeof (c as PushCondition).kind !== "string") {
      throw errors.unknown("Condition without 'kind'");
    }
  }
  return conditions as PushCondition[];
}

function checkActions(actions: unknown): PushAction[] {
  if (!Array.isArray(actions)) throw errors.unknown("'actions' must be a list");
  const kept: PushAction[] = [];
  for (const action of actions) {
    if (action === "notify") kept.push(action);
    else if (typeof action === "string" && HISTORICAL_ACTIONS.has(action)) continue;
    else if (typeof action === "object" && action !== null && !Array.isArray(action) && typeof (action as { set_tweak?: unknown }).set_tweak === "string") {
      kept.push(action as PushAction);
    } else throw errors.unknown(`Unrecognised action ${JSON.stringify(action)}`);
  }
  return kept;
}

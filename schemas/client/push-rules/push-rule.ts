/**
 * Push rules on the wire (the `m.push_rules` account data and /pushrules). Conditions and actions stay open
 * JSON: unknown condition kinds must round-trip (and never match), unknown tweaks pass through to the gateway.
 */
export type PushAction = string | { set_tweak: string; value?: unknown; [key: string]: unknown };

export interface PushCondition {
  kind: string;
  key?: string;
  pattern?: string;
  value?: unknown;
  is?: string;
  [key: string]: unknown;
}

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  conditions?: PushCondition[];
  /** Content rules only. */
  pattern?: string;
}

/** The kinds in the order they are checked. */
export const RULE_KINDS = ["override", "content", "room", "sender", "underride"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export type Ruleset = Record<RuleKind, PushRule[]>;

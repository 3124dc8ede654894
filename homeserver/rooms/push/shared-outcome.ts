import { defaultRuleset } from "../../users/push-rules/default-rules.js";
import type { Ruleset } from "../../users/push-rules/push-rule.js";

/** The predefined rules that name the user (their id, localpart or display name); the rest read only the event and room. */
const RULES_ABOUT_THE_USER: ReadonlySet<string> = new Set([".m.rule.invite_for_me", ".m.rule.is_user_mention", ".m.rule.contains_display_name", ".m.rule.contains_user_name"]);

/**
 * The predefined rules without those that name the user: evaluated once per event, this gives the outcome of
 * every member on the default rules whom the event does not name (rules apply first match first, so leaving out
 * rules that cannot match for a member changes nothing for them).
 */
export function sharedDefaultRuleset(serverName: string): Ruleset {
  const full = defaultRuleset(`@push-evaluator:${serverName}`);
  const keep = (rules: Ruleset["override"]) => rules.filter((rule) => !RULES_ABOUT_THE_USER.has(rule.rule_id));
  return { override: keep(full.override), content: keep(full.content), room: [], sender: [], underride: keep(full.underride) };
}

/** What of an event could name a member, read once per event. */
export interface NamingFacts {
  /** m.room.member's state_key (an invite for them). */
  memberStateKey: string | undefined;
  /** content["m.mentions"].user_ids, when the event has m.mentions (the legacy body rules are then skipped). */
  mentionedIds: ReadonlySet<string> | undefined;
  /** content.body, lower-cased, when the legacy body rules apply (no m.mentions). */
  lowerBody: string | undefined;
}

export function namingFactsOf(event: { type: string; state_key?: string; content: Record<string, unknown> }, hasMentions: boolean): NamingFacts {
  const mentions = event.content["m.mentions"];
  const ids = typeof mentions === "object" && mentions !== null ? (mentions as Record<string, unknown>).user_ids : undefined;
  const body = event.content.body;
  return {
    memberStateKey: event.type === "m.room.member" ? event.state_key : undefined,
    mentionedIds: hasMentions ? new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : []) : undefined,
    lowerBody: !hasMentions && typeof body === "string" ? body.toLowerCase() : undefined,
  };
}

/** A member's names as the legacy body rules look for them, lower-cased. */
export interface MemberNames {
  localpart: string;
  displayName: string | undefined;
}

export function memberNamesOf(userId: string, memberEvent: { content: Record<string, unknown> } | undefined): MemberNames {
  const name = memberEvent?.content.displayname;
  return {
    localpart: userId.slice(1, userId.indexOf(":") > 0 ? userId.indexOf(":") : undefined).toLowerCase(),
    displayName: typeof name === "string" && name !== "" ? name.toLowerCase() : undefined,
  };
}

/**
 * Might a rule about the user match for this member? A superset test (a substring where the rule wants a whole
 * word): when it says no, the member's outcome on the default rules is the shared one. `names` is needed only
 * when the legacy body rules apply (facts.lowerBody).
 */
export function mayNameMember(facts: NamingFacts, userId: string, names: MemberNames | undefined): boolean {
  if (facts.memberStateKey === userId) return true;
  if (facts.mentionedIds !== undefined) return facts.mentionedIds.has(userId);
  if (facts.lowerBody === undefined || names === undefined) return false;
  return facts.lowerBody.includes(names.localpart) || (names.displayName !== undefined && facts.lowerBody.includes(names.displayName));
}

import type { PushCondition } from "../../users/push-rules/push-rule.js";
import { globMatches } from "./glob.js";
import { isComparable, propertyOf } from "./event-properties.js";

/** What every member's evaluation of one event shares: the event and the room as it stood. */
export interface EventContext {
  event: Record<string, unknown>;
  /** content.body when it is a string. */
  body: string | undefined;
  /** Joined members. */
  memberCount: number;
  /** The sender's power level and what each notification key (`room`) requires. */
  senderPower: number;
  notificationPower(key: string): number;
}

/** What differs between members. */
export interface MemberContext {
  userId: string;
  /** Their display name in the room, if any. */
  displayName: string | undefined;
}

/** Unknown kinds never match, which disables the rule (as the spec asks). */
export function conditionHolds(condition: PushCondition, ctx: EventContext, member: MemberContext): boolean {
  switch (condition.kind) {
    case "event_match": {
      if (typeof condition.key !== "string" || typeof condition.pattern !== "string") return false;
      const value = propertyOf(ctx.event, condition.key);
      return typeof value === "string" && globMatches(condition.pattern, value, condition.key === "content.body");
    }
    case "event_property_is": {
      if (typeof condition.key !== "string" || !isComparable(condition.value)) return false;
      const value = propertyOf(ctx.event, condition.key);
      return isComparable(value) && value === condition.value;
    }
    case "event_property_contains": {
      if (typeof condition.key !== "string" || !isComparable(condition.value)) return false;
      const value = propertyOf(ctx.event, condition.key);
      return Array.isArray(value) && value.some((item) => isComparable(item) && item === condition.value);
    }
    case "contains_display_name": {
      const name = member.displayName;
      if (!name || ctx.body === undefined) return false;
      return containsWords(ctx.body, name);
    }
    case "room_member_count":
      return typeof condition.is === "string" && memberCountMatches(condition.is, ctx.memberCount);
    case "sender_notification_permission":
      return typeof condition.key === "string" && ctx.senderPower >= ctx.notificationPower(condition.key);
    default:
      return false;
  }
}

/** `needle` in `text` as whole words, case-insensitively (Synapse matches display names this way). */
function containsWords(text: string, needle: string): boolean {
  const lowerText = text.toLowerCase();
  const lowerNeedle = needle.toLowerCase();
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  for (let at = lowerText.indexOf(lowerNeedle); at >= 0; at = lowerText.indexOf(lowerNeedle, at + 1)) {
    // A name that itself starts or ends with a non-word character needs no boundary on that side.
    const startOk = !isWord(lowerNeedle[0]) || !isWord(lowerText[at - 1]);
    const endOk = !isWord(lowerNeedle[lowerNeedle.length - 1]) || !isWord(lowerText[at + lowerNeedle.length]);
    if (startOk && endOk) return true;
  }
  return false;
}

function memberCountMatches(is: string, count: number): boolean {
  const match = /^(==|<=|>=|<|>)?(\d+)$/.exec(is.trim());
  if (!match) return false;
  const n = Number(match[2]);
  switch (match[1]) {
    case "<":
      return count < n;
    case ">":
      return count > n;
    case "<=":
      return count <= n;
    case ">=":
      return count >= n;
    default:
      return count === n;
  }
}

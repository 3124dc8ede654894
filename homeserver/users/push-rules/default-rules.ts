import type { PushAction, PushRule, Ruleset } from "./push-rule.js";

const SOUND_DEFAULT: PushAction = { set_tweak: "sound", value: "default" };
const HIGHLIGHT: PushAction = { set_tweak: "highlight" };

const rule = (rule_id: string, conditions: PushRule["conditions"], actions: PushAction[], enabled = true): PushRule => ({
  rule_id,
  default: true,
  enabled,
  conditions,
  actions,
});

const typeIs = (pattern: string) => ({ kind: "event_match", key: "type", pattern });

/**
 * The spec's predefined rules (v1.19, "Predefined Rules"), in the spec's order within each kind. Some depend on
 * the user: their id in invites and mentions, their localpart in the content rule.
 */
export function defaultRuleset(userId: string): Ruleset {
  const localpart = userId.slice(1, userId.indexOf(":") > 0 ? userId.indexOf(":") : undefined);
  return {
    override: [
      rule(".m.rule.master", [], [], false),
      rule(".m.rule.suppress_notices", [{ kind: "event_match", key: "content.msgtype", pattern: "m.notice" }], []),
      rule(
        ".m.rule.invite_for_me",
        [typeIs("m.room.member"), { kind: "event_match", key: "content.membership", pattern: "invite" }, { kind: "event_match", key: "state_key", pattern: userId }],
        ["notify", SOUND_DEFAULT],
      ),
      rule(".m.rule.member_event", [typeIs("m.room.member")], []),
      rule(".m.rule.is_user_mention", [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: userId }], ["notify", SOUND_DEFAULT, HIGHLIGHT]),
      rule(".m.rule.contains_display_name", [{ kind: "contains_display_name" }], ["notify", SOUND_DEFAULT, HIGHLIGHT]),
      rule(
        ".m.rule.is_room_mention",
        [{ kind: "event_property_is", key: "content.m\\.mentions.room", value: true }, { kind: "sender_notification_permission", key: "room" }],
        ["notify", HIGHLIGHT],
      ),
      rule(".m.rule.roomnotif", [{ kind: "event_match", key: "content.body", pattern: "@room" }, { kind: "sender_notification_permission", key: "room" }], ["notify", HIGHLIGHT]),
      rule(".m.rule.tombstone", [typeIs("m.room.tombstone"), { kind: "event_match", key: "state_key", pattern: "" }], ["notify", HIGHLIGHT]),
      rule(".m.rule.reaction", [typeIs("m.reaction")], []),
      rule(".m.rule.room.server_acl", [typeIs("m.room.server_acl"), { kind: "event_match", key: "state_key", pattern: "" }], []),
      rule(".m.rule.suppress_edits", [{ kind: "event_property_is", key: "content.m\\.relates_to.rel_type", value: "m.replace" }], []),
    ],
    content: [{ rule_id: ".m.rule.contains_user_name", default: true, enabled: true, pattern: localpart, actions: ["notify", SOUND_DEFAULT, HIGHLIGHT] }],
    room: [],
    sender: [],
    underride: [
      rule(".m.rule.call", [typeIs("m.call.invite")], ["notify", { set_tweak: "sound", value: "ring" }]),
      rule(".m.rule.encrypted_room_one_to_one", [{ kind: "room_member_count", is: "2" }, typeIs("m.room.encrypted")], ["notify", SOUND_DEFAULT]),
      rule(".m.rule.room_one_to_one", [{ kind: "room_member_count", is: "2" }, typeIs("m.room.message")], ["notify", SOUND_DEFAULT]),
      rule(".m.rule.message", [typeIs("m.room.message")], ["notify"]),
      rule(".m.rule.encrypted", [typeIs("m.room.encrypted")], ["notify"]),
    ],
  };
}

/**
 * Rules the spec deprecates in favour of `m.mentions` (v1.7): they apply only to events without an
 * `m.mentions` property, so a client that sends mentions is not double-notified by its plain-text body.
 */
export const LEGACY_MENTION_RULES: ReadonlySet<string> = new Set([".m.rule.contains_display_name", ".m.rule.roomnotif", ".m.rule.contains_user_name"]);

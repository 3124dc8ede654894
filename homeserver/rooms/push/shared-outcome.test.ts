import { describe, expect, it } from "vitest";
import { defaultRuleset } from "../../users/push-rules/default-rules.js";
import type { EventContext } from "./conditions.js";
import { evaluateRules } from "./evaluate-rules.js";
import { mayNameMember, memberNamesOf, namingFactsOf, sharedDefaultRuleset } from "./shared-outcome.js";

const SERVER = "test.local";
const MEMBERS = [
  { userId: "@bob:test.local", displayName: "Bob Builder" },
  { userId: "@carol:test.local", displayName: undefined },
  { userId: "@dave:test.local", displayName: "D" },
];

/** Events of every kind the predefined rules tell apart, some naming members and some not. */
const EVENTS: Array<Record<string, unknown>> = [
  { type: "m.room.message", content: { msgtype: "m.text", body: "hello all" } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "hello all", "m.mentions": {} } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "bob, look", "m.mentions": { user_ids: ["@bob:test.local"] } } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "hey bob!" } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "hey bobby" } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "ask Bob Builder" } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "ask bob builder", "m.mentions": {} } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "d is a letter" } },
  { type: "m.room.message", content: { msgtype: "m.notice", body: "bob: beep" } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "@room wake up" } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "all", "m.mentions": { room: true } } },
  { type: "m.room.encrypted", content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "x" } },
  { type: "m.call.invite", content: { call_id: "1" } },
  { type: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$x", key: "👍" } } },
  { type: "m.room.message", content: { msgtype: "m.text", body: "* fixed", "m.relates_to": { rel_type: "m.replace", event_id: "$x" } } },
  { type: "m.room.member", state_key: "@bob:test.local", content: { membership: "invite" } },
  { type: "m.room.member", state_key: "@carol:test.local", content: { membership: "join", displayname: "Carol" } },
  { type: "m.room.tombstone", state_key: "", content: { body: "moved", replacement_room: "!new:test.local" } },
];

describe("the shared push outcome", () => {
  it("leaves out exactly the predefined rules that name the user", () => {
    const ids = (ruleset: ReturnType<typeof sharedDefaultRuleset>) => [...ruleset.override, ...ruleset.content, ...ruleset.underride].map((r) => r.rule_id);
    const full = ids(defaultRuleset("@bob:test.local"));
    const shared = ids(sharedDefaultRuleset(SERVER));
    expect(full.filter((id) => !shared.includes(id)).sort()).toEqual([".m.rule.contains_display_name", ".m.rule.contains_user_name", ".m.rule.invite_for_me", ".m.rule.is_user_mention"]);
  });

  // The evaluator gives every member who is not named the shared outcome without evaluating their rules: for each
  // event, member, room size and sender power, that must be what their own predefined rules say.
  it.each(EVENTS.map((event, i) => [i, event] as const))("equals each unnamed member's own outcome on the predefined rules (event %i)", (_i, event) => {
    const content = event.content as Record<string, unknown>;
    const hasMentions = "m.mentions" in content;
    const facts = namingFactsOf(event as { type: string; state_key?: string; content: Record<string, unknown> }, hasMentions);
    for (const memberCount of [2, 5]) {
      for (const senderPower of [0, 100]) {
        const ctx: EventContext = {
          event: { room_id: "!r:test.local", sender: "@alice:test.local", ...event },
          body: typeof content.body === "string" ? content.body : undefined,
          memberCount,
          senderPower,
          notificationPower: () => 50,
        };
        const shared = evaluateRules(sharedDefaultRuleset(SERVER), ctx, { userId: "", displayName: undefined }, hasMentions);
        for (const member of MEMBERS) {
          const own = evaluateRules(defaultRuleset(member.userId), ctx, member, hasMentions);
          const named = mayNameMember(facts, member.userId, memberNamesOf(member.userId, { content: { displayname: member.displayName } }));
          // Named or not, a member whose outcome differs must have been flagged as possibly named.
          if (JSON.stringify(own) !== JSON.stringify(shared)) expect(named, `${member.userId} at ${JSON.stringify(event)}`).toBe(true);
        }
      }
    }
  });

  it("flags the members an event may name, and no one else", () => {
    const facts = (event: Record<string, unknown>) => namingFactsOf(event as never, "m.mentions" in (event.content as object));
    const bob = memberNamesOf("@bob:test.local", { content: { displayname: "Bob Builder" } });
    const carol = memberNamesOf("@carol:test.local", undefined);
    expect(mayNameMember(facts(EVENTS[2]), "@bob:test.local", bob)).toBe(true);
    expect(mayNameMember(facts(EVENTS[2]), "@carol:test.local", carol)).toBe(false);
    // With m.mentions the body is not read: a name in it names no one.
    expect(mayNameMember(facts(EVENTS[6]), "@bob:test.local", bob)).toBe(false);
    expect(mayNameMember(facts(EVENTS[5]), "@bob:test.local", bob)).toBe(true);
    expect(mayNameMember(facts(EVENTS[0]), "@bob:test.local", bob)).toBe(false);
    expect(mayNameMember(facts(EVENTS[15]), "@bob:test.local", bob)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { defaultRuleset } from "../../users/push-rules/default-rules.js";
import type { Ruleset } from "../../users/push-rules/push-rule.js";
import type { EventContext } from "./conditions.js";
import { conditionHolds } from "./conditions.js";
import { evaluateRules } from "./evaluate-rules.js";
import { globMatches } from "./glob.js";
import { propertyOf } from "./event-properties.js";

const BOB = "@bob:test.local";

function context(event: Record<string, unknown>, overrides: Partial<EventContext> = {}): EventContext {
  const content = (event.content ?? {}) as Record<string, unknown>;
  return {
    event: { room_id: "!r:test.local", sender: "@alice:test.local", ...event },
    body: typeof content.body === "string" ? content.body : undefined,
    memberCount: 5,
    senderPower: 0,
    notificationPower: () => 50,
    ...overrides,
  };
}

const outcome = (ruleset: Ruleset, event: Record<string, unknown>, overrides: Partial<EventContext> = {}, displayName?: string) => {
  const ctx = context(event, overrides);
  const content = (event.content ?? {}) as Record<string, unknown>;
  return evaluateRules(ruleset, ctx, { userId: BOB, displayName }, "m.mentions" in content);
};

describe("glob matching and property paths", () => {
  it("matches globs case-insensitively, whole values, and content.body at word boundaries", () => {
    expect(globMatches("lunc?*", "Lunch plans", false)).toBe(true);
    expect(globMatches("lunc?*", " lunch", false)).toBe(false);
    expect(globMatches("lunc?*", "lunc", false)).toBe(false);
    expect(globMatches("ex*ple", "An example event.", true)).toBe(true);
    expect(globMatches("ex*ple", "exple", true)).toBe(true);
    expect(globMatches("ex*ple", "An exciting triple-whammy", true)).toBe(true);
    expect(globMatches("bob", "bobby", true)).toBe(false);
    expect(globMatches("a.b", "axb", false)).toBe(false);
    expect(globMatches("[ab]c", "bc", false)).toBe(true);
    expect(globMatches("[!ab]c", "bc", false)).toBe(false);
  });

  it("reads dot-separated paths with escaped dots", () => {
    const event = { content: { "m.mentions": { user_ids: [BOB] }, m: { mentions: 1 } } };
    expect(propertyOf(event, "content.m\\.mentions.user_ids")).toEqual([BOB]);
    expect(propertyOf(event, "content.m.mentions")).toBe(1);
    expect(propertyOf(event, "content.missing.deeper")).toBeUndefined();
  });
});

describe("conditions", () => {
  const ctx = context({ type: "m.room.create", content: { "m.federate": true, alt_aliases: ["#a:x", 3] } });
  const member = { userId: BOB, displayName: "Bob Smith" };
  it("event_property_is compares exactly, without casting", () => {
    expect(conditionHolds({ kind: "event_property_is", key: "content.m\\.federate", value: true }, ctx, member)).toBe(true);
    expect(conditionHolds({ kind: "event_property_is", key: "content.m\\.federate", value: "true" }, ctx, member)).toBe(false);
    expect(conditionHolds({ kind: "event_property_is", key: "content.m\\.federate", value: 1 }, ctx, member)).toBe(false);
  });
  it("event_property_contains matches whole array members", () => {
    expect(conditionHolds({ kind: "event_property_contains", key: "content.alt_aliases", value: "#a:x" }, ctx, member)).toBe(true);
    expect(conditionHolds({ kind: "event_property_contains", key: "content.alt_aliases", value: ":x" }, ctx, member)).toBe(false);
    expect(conditionHolds({ kind: "event_property_contains", key: "content.alt_aliases", value: 3 }, ctx, member)).toBe(true);
  });
  it("room_member_count reads its comparison; unknown kinds never match", () => {
    expect(conditionHolds({ kind: "room_member_count", is: "5" }, ctx, member)).toBe(true);
    expect(conditionHolds({ kind: "room_member_count", is: "<5" }, ctx, member)).toBe(false);
    expect(conditionHolds({ kind: "room_member_count", is: ">=5" }, ctx, member)).toBe(true);
    expect(conditionHolds({ kind: "room_member_count", is: "five" }, ctx, member)).toBe(false);
    expect(conditionHolds({ kind: "org.example.future" }, ctx, member)).toBe(false);
  });
  it("contains_display_name finds the name as words in the body", () => {
    const hello = context({ type: "m.room.message", content: { body: "hi bob smith!" } });
    expect(conditionHolds({ kind: "contains_display_name" }, hello, member)).toBe(true);
    const inside = context({ type: "m.room.message", content: { body: "hi bob smithers" } });
    expect(conditionHolds({ kind: "contains_display_name" }, inside, member)).toBe(false);
  });
});

describe("the default rules", () => {
  const rules = defaultRuleset(BOB);
  it("notify for messages, with a sound in a room of two, and highlight mentions", () => {
    expect(outcome(rules, { type: "m.room.message", content: { body: "hi" } })).toMatchObject({ notify: true, highlight: false, actions: ["notify"] });
    expect(outcome(rules, { type: "m.room.message", content: { body: "hi" } }, { memberCount: 2 })?.actions).toEqual(["notify", { set_tweak: "sound", value: "default" }]);
    expect(outcome(rules, { type: "m.room.message", content: { body: "x", "m.mentions": { user_ids: [BOB] } } })).toMatchObject({ notify: true, highlight: true });
  });
  it("an @room mention needs the sender's power", () => {
    const event = { type: "m.room.message", content: { body: "all", "m.mentions": { room: true } } };
    expect(outcome(rules, event)?.highlight).toBe(false);
    expect(outcome(rules, event, { senderPower: 50 })?.highlight).toBe(true);
  });
  it("suppresses notices, reactions, edits and member events; notifies an invite for the user", () => {
    expect(outcome(rules, { type: "m.room.message", content: { msgtype: "m.notice", body: "beep" } })?.notify).toBe(false);
    expect(outcome(rules, { type: "m.reaction", content: {} })?.notify).toBe(false);
    expect(outcome(rules, { type: "m.room.message", content: { body: "* fix", "m.relates_to": { rel_type: "m.replace", event_id: "$x" } } })?.notify).toBe(false);
    expect(outcome(rules, { type: "m.room.member", state_key: "@carol:test.local", content: { membership: "join" } })?.notify).toBe(false);
    expect(outcome(rules, { type: "m.room.member", state_key: BOB, content: { membership: "invite" } })?.notify).toBe(true);
    expect(outcome(rules, { type: "m.room.tombstone", state_key: "", content: {} })?.highlight).toBe(true);
  });
  it("the legacy body rules apply only without m.mentions", () => {
    expect(outcome(rules, { type: "m.room.message", content: { body: "hey bob" } })?.highlight).toBe(true);
    expect(outcome(rules, { type: "m.room.message", content: { body: "hey bob", "m.mentions": {} } })?.highlight).toBe(false);
    expect(outcome(rules, { type: "m.room.message", content: { body: "hey Bob Smith" } }, {}, "Bob Smith")?.highlight).toBe(true);
  });
  it("nothing matches an unknown event type", () => {
    expect(outcome(rules, { type: "org.example.custom", content: {} })).toBeUndefined();
  });
});

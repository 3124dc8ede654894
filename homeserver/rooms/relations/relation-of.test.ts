import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../events/pdu.js";
import { relationOf } from "./relation-of.js";

describe("relationOf", () => {
  it("reads rel_type and event_id from content.m.relates_to", () => {
    expect(relationOf({ content: { "m.relates_to": { rel_type: "m.thread", event_id: "$root", is_falling_back: true } } })).toEqual({ relType: "m.thread", eventId: "$root" });
  });

  it("sees no relation without both as strings: a plain reply, a malformed or missing m.relates_to", () => {
    const malformed: JsonValue[] = [{ "m.in_reply_to": { event_id: "$x" } }, { rel_type: "m.thread" }, { rel_type: 1, event_id: "$x" }, ["m.thread", "$x"], "m.thread", null];
    for (const relatesTo of malformed) {
      expect(relationOf({ content: { "m.relates_to": relatesTo } })).toBeUndefined();
    }
    expect(relationOf({ content: {} })).toBeUndefined();
  });
});

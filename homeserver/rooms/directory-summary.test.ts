import { describe, expect, it } from "vitest";
import type { JsonObject } from "../events/pdu.js";
import { isListable, plainTextTopic } from "./directory-summary.js";

describe("published room entries", () => {
  it("take the text/plain topic from m.topic, where a block without mimetype is plain text", () => {
    const content: JsonObject = {
      topic: "legacy",
      "m.topic": { "m.text": [{ mimetype: "text/html", body: "<b>rich</b>" }, { body: "plain" }] },
    };
    expect(plainTextTopic(content)).toBe("plain");
    expect(plainTextTopic({ topic: "legacy" })).toBe("legacy");
    expect(plainTextTopic({ "m.topic": { "m.text": [{ mimetype: "text/html", body: "x" }] } })).toBeUndefined();
    expect(plainTextTopic(undefined)).toBeUndefined();
  });

  it("list only rooms with members that a stranger could join, knock on, or read", () => {
    const base = { room_id: "!r", num_joined_members: 1, world_readable: false, guest_can_join: false };
    expect(isListable({ ...base, join_rule: "public" })).toBe(true);
    expect(isListable(base)).toBe(true);
    expect(isListable({ ...base, join_rule: "knock" })).toBe(true);
    expect(isListable({ ...base, join_rule: "invite" })).toBe(false);
    expect(isListable({ ...base, join_rule: "invite", world_readable: true })).toBe(true);
    expect(isListable({ ...base, join_rule: "public", num_joined_members: 0 })).toBe(false);
  });
});

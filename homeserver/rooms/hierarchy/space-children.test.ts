import { describe, expect, it } from "vitest";
import type { SpaceChildState } from "../../../schemas/client/spaces/space-hierarchy-room.js";
import { compareChildren, viaOf } from "./space-children.js";

const child = (roomId: string, ts: number, content: Record<string, unknown>): SpaceChildState => ({
  type: "m.space.child",
  state_key: roomId,
  content: { via: ["example.org"], ...content } as SpaceChildState["content"],
  sender: "@alice:example.org",
  origin_server_ts: ts,
});

describe("space children", () => {
  it("orders children as the spec's example does: valid order first, by it, then by timestamp", () => {
    const children = [
      child("!b:example.org", 1640341000000, { order: " " }),
      child("!a:example.org", 1640141000000, { order: "aaaa" }),
      child("!c:example.org", 1640841000000, { order: "first" }),
      child("!e:example.org", 1640641000000, {}),
      child("!d:example.org", 1640741000000, {}),
    ];
    expect([...children].reverse().sort(compareChildren).map((c) => c.state_key)).toEqual([
      "!b:example.org",
      "!a:example.org",
      "!c:example.org",
      "!e:example.org",
      "!d:example.org",
    ]);
  });

  it("treats an order outside U+0020..U+007E, longer than 50 characters or not a string as none; ties go by room id", () => {
    const children = [
      child("!z:x", 5, { order: "\u00e9" }),
      child("!y:x", 5, { order: "a".repeat(51) }),
      child("!x:x", 5, { order: 7 }),
      child("!w:x", 9, { order: "m" }),
      child("!v:x", 9, { order: "m" }),
    ];
    expect(children.sort(compareChildren).map((c) => c.state_key)).toEqual(["!v:x", "!w:x", "!x:x", "!y:x", "!z:x"]);
  });

  it("counts a link only while its via is a non-empty list of strings", () => {
    expect(viaOf({ via: ["a.example"] })).toEqual(["a.example"]);
    for (const content of [{}, { via: [] }, { via: "a.example" }, { via: ["a.example", 3] }]) expect(viaOf(content as never)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { checkRemoteSpace, checkRemoteSummary } from "./remote-hierarchy.js";

const childEvent = (roomId: string, extra: Record<string, unknown> = {}) => ({
  type: "m.space.child",
  state_key: roomId,
  sender: "@a:remote.example",
  origin_server_ts: 10,
  content: { via: ["remote.example"], ...extra },
});

describe("another server's hierarchy answer", () => {
  it("keeps the spec's fields of the right types only, with defaults for the required ones", () => {
    expect(
      checkRemoteSummary({
        room_id: "!r:remote.example",
        name: "Room",
        topic: 5,
        num_joined_members: -3,
        world_readable: "yes",
        canonical_alias: "not an alias",
        avatar_url: "https://example.org/a.png",
        encryption: "m.megolm.v1.aes-sha2",
        allowed_room_ids: ["!s:remote.example", 1],
        extra: "dropped",
      }),
    ).toEqual({
      room_id: "!r:remote.example",
      name: "Room",
      num_joined_members: 0,
      world_readable: false,
      guest_can_join: false,
      encryption: "m.megolm.v1.aes-sha2",
      allowed_room_ids: ["!s:remote.example"],
    });
    expect(checkRemoteSummary({ name: "no id" })).toBeUndefined();
    expect(checkRemoteSummary("nonsense")).toBeUndefined();
  });

  it("refuses an answer about another room, drops invalid children and keeps only suggested ones when asked", () => {
    const answer = {
      room: {
        room_id: "!space:remote.example",
        num_joined_members: 2,
        world_readable: true,
        guest_can_join: false,
        children_state: [childEvent("!b:remote.example", { suggested: true }), childEvent("!a:remote.example"), { type: "m.room.name" }, childEvent("!c:x", { via: [] })],
      },
      children: [{ room_id: "!a:remote.example", num_joined_members: 1 }, { nope: true }],
      inaccessible_children: ["!b:remote.example", 3],
    };
    expect(checkRemoteSpace(answer, "!other:remote.example", false)).toBeUndefined();
    const all = checkRemoteSpace(answer, "!space:remote.example", false)!;
    expect(all.room.children_state.map((c) => c.state_key)).toEqual(["!a:remote.example", "!b:remote.example"]);
    expect([...all.children.keys()]).toEqual(["!a:remote.example"]);
    expect([...all.inaccessible]).toEqual(["!b:remote.example"]);
    const suggested = checkRemoteSpace(answer, "!space:remote.example", true)!;
    expect(suggested.room.children_state.map((c) => c.state_key)).toEqual(["!b:remote.example"]);
  });
});

import { describe, expect, it } from "vitest";
import type { IdentifiedPdu } from "../../events/pdu.js";
import { requireRoomVersion } from "../../events/room-versions.js";
import { RoomMemory } from "./room-memory.js";

let n = 0;
const member = (userId: string, membership: string): [string, IdentifiedPdu] => [
  `m.room.member\u0000${userId}`,
  { event_id: `$e${++n}`, type: "m.room.member", state_key: userId, sender: userId, content: { membership } } as unknown as IdentifiedPdu,
];

describe("RoomMemory.joinedServers", () => {
  it("follows membership changes made through setState and replaceState", () => {
    const memory = new RoomMemory("!r:a", requireRoomVersion("11"), new Map([member("@x:a", "join"), member("@y:b", "join"), member("@z:c", "invite")]), [], 1, null);
    expect(memory.joinedServers()).toEqual(new Set(["a", "b"]));
    expect(memory.joinedServers("a")).toEqual(new Set(["b"]));

    memory.setState(...member("@z:c", "join"));
    expect(memory.joinedServers("a")).toEqual(new Set(["b", "c"]));
    memory.setState(...member("@y:b", "leave"));
    expect(memory.joinedServers("a")).toEqual(new Set(["c"]));

    memory.replaceState([member("@w:d", "join")]);
    expect(memory.joinedServers()).toEqual(new Set(["d"]));
    expect(memory.membershipOf("@x:a")).toBeUndefined();
  });

  it("hands out a copy: a caller changing it does not change the room's servers", () => {
    const memory = new RoomMemory("!r:a", requireRoomVersion("11"), new Map([member("@x:a", "join")]), [], 1, null);
    memory.joinedServers().add("evil");
    expect(memory.joinedServers()).toEqual(new Set(["a"]));
  });
});

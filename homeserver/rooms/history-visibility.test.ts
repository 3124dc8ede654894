import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import type { StoredEvent } from "../storage/stores/events-store.js";
import { testDrivers } from "../storage/test-databases.js";
import type { Requester } from "../users/requester.js";
import { bodies, inlineFilter, newUser, SyncHarness } from "../sync/testing/sync-fixtures.js";
import { canSeeEvent, effectiveVisibility, type HistoryVisibility } from "./history-visibility.js";

function stored(partial: { type: string; stateKey?: string; content?: Record<string, unknown>; prev?: Record<string, unknown>; pos?: number }): StoredEvent {
  return {
    streamPos: partial.pos ?? 10,
    roomSeq: 1,
    pdu: {
      event_id: "$e",
      room_id: "!r",
      sender: "@alice:test.local",
      type: partial.type,
      state_key: partial.stateKey,
      content: (partial.content ?? {}) as StoredEvent["pdu"]["content"],
      origin_server_ts: 0,
      prev_events: [],
      auth_events: [],
      depth: 1,
    },
    unsigned: partial.prev ? { prev_content: partial.prev } : null,
    senderDevice: null,
    txnId: null,
    redactedBy: null,
    stateGroupBefore: null,
    stateGroupAfter: null,
  };
}

const bob = "@bob:test.local";
const message = stored({ type: "m.room.message", pos: 10 });

describe("the history visibility rule", () => {
  it("treats a missing or unknown value as shared", () => {
    expect(effectiveVisibility(undefined)).toBe("shared");
    expect(effectiveVisibility("nonsense")).toBe("shared");
    expect(effectiveVisibility("joined")).toBe("joined");
  });

  it("world_readable: anyone, member or not", () => {
    expect(canSeeEvent(message, { visibility: "world_readable", membership: undefined }, { userId: bob })).toBe(true);
  });

  it("shared: members who joined at any point after the event, but not peekers who never joined", () => {
    expect(canSeeEvent(message, { visibility: "shared", membership: undefined }, { userId: bob, lastJoinPos: 20 })).toBe(true);
    expect(canSeeEvent(message, { visibility: "shared", membership: undefined }, { userId: bob })).toBe(false);
    // Joined before the event and left before it too: the later join is what grants access, and there is none.
    expect(canSeeEvent(message, { visibility: "shared", membership: "leave" }, { userId: bob, lastJoinPos: 5 })).toBe(false);
  });

  it("invited: from the invite on, not before", () => {
    expect(canSeeEvent(message, { visibility: "invited", membership: "invite" }, { userId: bob, lastJoinPos: 20 })).toBe(true);
    expect(canSeeEvent(message, { visibility: "invited", membership: "leave" }, { userId: bob, lastJoinPos: 20 })).toBe(false);
    expect(canSeeEvent(message, { visibility: "invited", membership: "join" }, { userId: bob, lastJoinPos: 5 })).toBe(true);
  });

  it("joined: only while joined", () => {
    expect(canSeeEvent(message, { visibility: "joined", membership: "invite" }, { userId: bob, lastJoinPos: 20 })).toBe(false);
    expect(canSeeEvent(message, { visibility: "joined", membership: "join" }, { userId: bob, lastJoinPos: 5 })).toBe(true);
  });

  it("a history_visibility change is judged by the more permissive of its old and new values", () => {
    const change = stored({ type: "m.room.history_visibility", stateKey: "", content: { history_visibility: "joined" }, prev: { history_visibility: "world_readable" } });
    expect(canSeeEvent(change, { visibility: "joined", membership: undefined }, { userId: bob })).toBe(true);
  });

  it("users always see their own leave after being joined or invited", () => {
    const leave = stored({ type: "m.room.member", stateKey: bob, content: { membership: "leave" }, prev: { membership: "invite" } });
    expect(canSeeEvent(leave, { visibility: "joined", membership: "leave" }, { userId: bob })).toBe(true);
  });
});

/** Who may read what, per setting: bob is invited, joins, then leaves; carol never joins. */
const expectations: Record<HistoryVisibility, { bob: string[]; carolMayRead: boolean }> = {
  world_readable: { bob: ["before invite", "while invited", "while joined"], carolMayRead: true },
  shared: { bob: ["before invite", "while invited", "while joined"], carolMayRead: false },
  invited: { bob: ["while invited", "while joined"], carolMayRead: false },
  joined: { bob: ["while joined"], carolMayRead: false },
};

describe.each(testDrivers())("history visibility enforced by the read endpoints and sync on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  const messages = async (user: Requester, roomId: string) =>
    bodies((await app.ctx.roomReads.timeline.messages(user, roomId, { dir: "f", limit: 100, filter: { types: ["m.room.message"] } })).chunk);

  describe.each(Object.keys(expectations) as HistoryVisibility[])("history_visibility %s", (visibility) => {
    const expected = expectations[visibility];
    let roomId: string;
    let alice: Requester;
    let bobUser: Requester;
    let carol: Requester;
    const ids: Record<string, string> = {};
    let bobJoinedSync: Awaited<ReturnType<SyncHarness["sync"]>>;

    beforeAll(async () => {
      alice = newUser("alice");
      bobUser = newUser("bob");
      carol = newUser("carol");
      roomId = await h.createRoom(alice, { initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: visibility } }] });
      ids["before invite"] = await h.send(alice, roomId, "before invite");
      await app.ctx.rooms.service.membership(alice, roomId, "invite", bobUser.userId);
      ids["while invited"] = await h.send(alice, roomId, "while invited");
      await app.ctx.rooms.service.join(bobUser, roomId);
      ids["while joined"] = await h.send(alice, roomId, "while joined");
      bobJoinedSync = await h.sync(bobUser, { filter: inlineFilter({ room: { timeline: { limit: 50, types: ["m.room.message"] } } }) });
      await app.ctx.rooms.service.membership(bobUser, roomId, "leave", bobUser.userId);
      ids["after leave"] = await h.send(alice, roomId, "after leave");
    });

    it("/messages shows a departed member only what the setting allows, and nothing after the leave", async () => {
      expect(await messages(bobUser, roomId)).toEqual(expected.bob);
      expect(await messages(alice, roomId)).toEqual(["before invite", "while invited", "while joined", "after leave"]);
    });

    it("an initial sync of a member who joined late shows only the visible history", async () => {
      expect(bodies(bobJoinedSync.rooms!.join![roomId].timeline.events)).toEqual(expected.bob);
    });

    it("marks each visible event with the reader's membership at it (unsigned.membership)", async () => {
      const membershipAt: Record<string, string> = { "before invite": "leave", "while invited": "invite", "while joined": "join", "after leave": "leave" };
      const page = await app.ctx.roomReads.timeline.messages(bobUser, roomId, { dir: "f", limit: 100, filter: { types: ["m.room.message"] } });
      for (const event of page.chunk) expect(event.unsigned?.membership, String(event.content.body)).toBe(membershipAt[String(event.content.body)]);
      for (const event of bobJoinedSync.rooms!.join![roomId].timeline.events) {
        expect(event.unsigned?.membership).toBe(membershipAt[String(event.content!.body)]);
      }
    });

    // Single events are not bounded by the leave: a world_readable event is anyone's to read.
    const visibleToBob = () => (visibility === "world_readable" ? [...expected.bob, "after leave"] : expected.bob);

    it("/event answers 404 for events the user may not see", async () => {
      for (const [label, eventId] of Object.entries(ids)) {
        const read = app.ctx.roomReads.state.event(bobUser, roomId, eventId);
        if (visibleToBob().includes(label)) await expect(read).resolves.toMatchObject({ event_id: eventId });
        else await expect(read).rejects.toMatchObject({ status: 404, errcode: "M_NOT_FOUND" });
      }
    });

    it("/context refuses invisible events with 403 and filters the surrounding ones", async () => {
      for (const [label, eventId] of Object.entries(ids)) {
        const read = app.ctx.roomReads.timeline.context(bobUser, roomId, eventId, 10, { types: ["m.room.message"] });
        if (!visibleToBob().includes(label)) {
          await expect(read).rejects.toMatchObject({ status: 403 });
          continue;
        }
        const context = await read;
        const seen = [...bodies(context.events_before).reverse(), context.event.content.body, ...bodies(context.events_after)];
        const all = ["before invite", "while invited", "while joined", "after leave"];
        expect(seen).toEqual(all.filter((b) => visibleToBob().includes(b) && (label === "after leave" || b !== "after leave")));
      }
    });

    it("a user who never joined may read only a world_readable room", async () => {
      const read = app.ctx.roomReads.timeline.messages(carol, roomId, { dir: "b" });
      if (expected.carolMayRead) {
        expect(await messages(carol, roomId)).toEqual(["before invite", "while invited", "while joined", "after leave"]);
        await expect(app.ctx.roomReads.state.state(carol, roomId)).resolves.toBeDefined();
      } else {
        await expect(read).rejects.toMatchObject({ status: 403, errcode: "M_FORBIDDEN" });
        await expect(app.ctx.roomReads.state.state(carol, roomId)).rejects.toMatchObject({ status: 403 });
        await expect(app.ctx.roomReads.state.event(carol, roomId, ids["before invite"])).rejects.toMatchObject({ status: 404 });
      }
    });
  });
});

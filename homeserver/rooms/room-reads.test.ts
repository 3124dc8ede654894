import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import type { Requester } from "../users/requester.js";
import { specErrors } from "../sync/testing/spec-schemas.js";
import { bodies, newUser, SyncHarness } from "../sync/testing/sync-fixtures.js";
import type { ClientEvent } from "./client-event.js";

const MESSAGES = "/_matrix/client/v3/rooms/{roomId}/messages";
const CONTEXT = "/_matrix/client/v3/rooms/{roomId}/context/{eventId}";

describe.each(testDrivers())("room reads on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);
  const reads = () => app.ctx.roomReads;

  /** All events from the end back to the start, page by page, as a client would. */
  async function paginateBack(user: Requester, roomId: string, pageSize: number): Promise<{ events: ClientEvent[]; pages: number }> {
    const events: ClientEvent[] = [];
    let from: string | undefined;
    for (let pages = 1; pages < 1000; pages++) {
      const page = await reads().timeline.messages(user, roomId, { dir: "b", from, limit: pageSize });
      expect(specErrors(MESSAGES, "GET", 200, page)).toEqual([]);
      expect(page.chunk.length).toBeLessThanOrEqual(pageSize);
      events.push(...(page.chunk as ClientEvent[]));
      if (!page.end) return { events, pages };
      from = page.end;
    }
    throw new Error("pagination did not end");
  }

  describe("/messages", () => {
    let alice: Requester;
    let roomId: string;
    const sent: string[] = [];
    beforeAll(async () => {
      alice = newUser("alice");
      roomId = await h.createRoom(alice, { name: "History" });
      for (let i = 0; i < 25; i++) sent.push(await h.send(alice, roomId, `m${i}`));
    });

    it("paginates backwards from the end to m.room.create, newest first, and omits end at the start", async () => {
      const { events } = await paginateBack(alice, roomId, 7);
      expect(events.at(-1)!.type).toBe("m.room.create");
      const messageIds = events.filter((e) => e.type === "m.room.message").map((e) => e.event_id);
      expect(messageIds).toEqual([...sent].reverse());
      expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
    });

    it("paginates forwards from the start, oldest first, with the default limit of 10", async () => {
      const page = await reads().timeline.messages(alice, roomId, { dir: "f" });
      expect(page.chunk).toHaveLength(10);
      expect(page.chunk[0].type).toBe("m.room.create");
      const next = await reads().timeline.messages(alice, roomId, { dir: "f", from: page.end, limit: 100 });
      expect(next.end).toBeUndefined();
      const all = [...page.chunk, ...next.chunk].filter((e) => e.type === "m.room.message").map((e) => e.event_id);
      expect(all).toEqual(sent);
    });

    it("stops at `to` and accepts a sync token as `from`", async () => {
      const sync = await h.sync(alice);
      const back = await reads().timeline.messages(alice, roomId, { dir: "b", from: sync.next_batch, limit: 3 });
      expect(bodies(back.chunk)).toEqual(["m24", "m23", "m22"]);
      const bounded = await reads().timeline.messages(alice, roomId, { dir: "b", from: sync.next_batch, to: back.end, limit: 50 });
      expect(bodies(bounded.chunk)).toEqual(["m24", "m23", "m22"]);
      expect(bounded.end).toBeUndefined();
    });

    it("applies a RoomEventFilter and lazy-loads the senders' memberships into `state`", async () => {
      const page = await reads().timeline.messages(alice, roomId, { dir: "b", limit: 5, filter: { types: ["m.room.member"], lazy_load_members: true } });
      expect(page.chunk.map((e) => e.type)).toEqual(["m.room.member"]);
      expect(page.state!.map((e) => [e.type, e.state_key])).toEqual([["m.room.member", alice.userId]]);
      const none = await reads().timeline.messages(alice, roomId, { dir: "b", filter: { senders: [] } });
      expect(none.chunk).toEqual([]);
      expect(none.end).toBeUndefined();
    });

    it("refuses a malformed token with 400 M_INVALID_PARAM and a non-member with 403", async () => {
      await expect(reads().timeline.messages(alice, roomId, { dir: "b", from: "garbage" })).rejects.toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
      const mallory = newUser("mallory");
      const privateRoom = await h.createRoom(alice, { preset: "private_chat" });
      await expect(reads().timeline.messages(mallory, privateRoom, { dir: "b" })).rejects.toMatchObject({ status: 403, errcode: "M_FORBIDDEN" });
      await expect(reads().timeline.messages(mallory, "!nowhere:test.local", { dir: "b" })).rejects.toMatchObject({ status: 403 });
    });
  });

  describe("/context", () => {
    it("returns the event with events before and after, state, and tokens that continue in /messages", async () => {
      const alice = newUser("alice");
      const roomId = await h.createRoom(alice);
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) ids.push(await h.send(alice, roomId, `c${i}`));
      const context = await reads().timeline.context(alice, roomId, ids[4], 4);
      expect(specErrors(CONTEXT, "GET", 200, context)).toEqual([]);
      expect(context.event.event_id).toBe(ids[4]);
      expect(bodies(context.events_before)).toEqual(["c3", "c2"]);
      expect(bodies(context.events_after)).toEqual(["c5", "c6"]);
      expect(context.state.map((e) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.member"]));
      const earlier = await reads().timeline.messages(alice, roomId, { dir: "b", from: context.start, limit: 2 });
      expect(bodies(earlier.chunk)).toEqual(["c1", "c0"]);
      const later = await reads().timeline.messages(alice, roomId, { dir: "f", from: context.end, limit: 2 });
      expect(bodies(later.chunk)).toEqual(["c7", "c8"]);
    });

    it("lazy-loads only the senders' memberships and answers 404 for an unknown event", async () => {
      const alice = newUser("alice");
      const roomId = await h.createRoom(alice);
      const eventId = await h.send(alice, roomId, "x");
      const context = await reads().timeline.context(alice, roomId, eventId, 0, { lazy_load_members: true });
      expect(context.events_before).toEqual([]);
      expect(context.state.map((e) => [e.type, e.state_key])).toEqual([["m.room.member", alice.userId]]);
      await expect(reads().timeline.context(alice, roomId, "$missing", 10)).rejects.toMatchObject({ status: 404, errcode: "M_NOT_FOUND" });
    });
  });

  describe("/state, /members, /joined_members, /joined_rooms", () => {
    let alice: Requester;
    let bob: Requester;
    let roomId: string;
    beforeAll(async () => {
      alice = newUser("alice");
      bob = newUser("bob");
      roomId = await h.createRoom(alice, { topic: "first topic" });
      await app.ctx.rooms.service.join(bob, roomId);
      await app.ctx.rooms.service.membership(bob, roomId, "leave", bob.userId);
      await app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: "after bob left" });
    });

    it("a joined user reads the current state; a user who left reads the state at their leave", async () => {
      const topicOf = (state: ClientEvent[]) => state.find((e) => e.type === "m.room.topic")!.content.topic;
      expect(topicOf(await reads().state.state(alice, roomId))).toBe("after bob left");
      expect(topicOf(await reads().state.state(bob, roomId))).toBe("first topic");
      expect((await reads().state.stateEvent(alice, roomId, "m.room.topic", "")).content).toEqual({ topic: "after bob left" });
      expect((await reads().state.stateEvent(bob, roomId, "m.room.topic", "")).content).toEqual({ topic: "first topic" });
      await expect(reads().state.stateEvent(alice, roomId, "m.room.nothing", "")).rejects.toMatchObject({ status: 404, errcode: "M_NOT_FOUND" });
      // public_chat rooms are "shared", not world_readable: strangers may not read their state.
      await expect(reads().state.state(newUser("stranger"), roomId)).rejects.toMatchObject({ status: 403, errcode: "M_FORBIDDEN" });
      await expect(reads().state.stateEvent(newUser("stranger"), roomId, "m.room.topic", "")).rejects.toMatchObject({ status: 403 });
    });

    it("/members filters by membership and not_membership, and reads the past with `at`", async () => {
      const all = await reads().state.members(alice, roomId, {});
      expect(all.map((e) => [e.state_key, e.content.membership]).sort()).toEqual([[alice.userId, "join"], [bob.userId, "leave"]].sort());
      expect((await reads().state.members(alice, roomId, { membership: "join" })).map((e) => e.state_key)).toEqual([alice.userId]);
      expect((await reads().state.members(alice, roomId, { not_membership: "join" })).map((e) => e.state_key)).toEqual([bob.userId]);
      expect((await reads().state.members(alice, roomId, { membership: "leave", not_membership: "leave" })).length).toBe(2);
      const sync = await h.sync(alice, { filter: JSON.stringify({ room: { timeline: { limit: 1 } } }) });
      const prevBatch = sync.rooms!.join![roomId].timeline.prev_batch!;
      const before = await reads().state.members(alice, roomId, { at: prevBatch });
      expect(before.find((e) => e.state_key === bob.userId)!.content.membership).toBe("leave");
      await expect(reads().state.members(alice, roomId, { at: "nope" })).rejects.toMatchObject({ status: 400 });
    });

    it("/joined_members answers joined users only, with display names", async () => {
      const joined = await reads().state.joinedMembers(alice, roomId);
      expect(Object.keys(joined.joined)).toEqual([alice.userId]);
      await expect(reads().state.joinedMembers(bob, roomId)).rejects.toMatchObject({ status: 403, errcode: "M_FORBIDDEN" });
    });

    it("/joined_rooms lists the rooms the user is joined to", async () => {
      expect(await reads().state.joinedRooms(alice)).toContain(roomId);
      expect(await reads().state.joinedRooms(bob)).not.toContain(roomId);
    });
  });
});

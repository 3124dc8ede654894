import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { testDrivers } from "../test-databases.js";
import { newUser, SyncHarness } from "../../sync/testing/sync-fixtures.js";
import type { Requester } from "../../users/requester.js";
import { CurrentStateReadsStore } from "./current-state-reads-store.js";
import { EventsStore } from "./events-store.js";
import { StateAtStore } from "./state-at-store.js";
import { StateStore, splitKey } from "./state-store.js";
import { likePattern, TimelineStore } from "./timeline-store.js";

describe("likePattern", () => {
  it("turns * into % and escapes LIKE's own wildcards", () => {
    expect(likePattern("m.room.*")).toBe("m.room.%");
    expect(likePattern("a_b%c*")).toBe("a\\_b\\%c%");
  });
});

describe.each(testDrivers())("read stores on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);
  const db = () => app.ctx.db;

  describe("StateAtStore", () => {
    it("answers targeted selections that agree with the full state at every group, across snapshot boundaries", async () => {
      const alice = newUser("alice");
      const roomId = await h.createRoom(alice);
      const members: Requester[] = [];
      for (let i = 0; i < 5; i++) {
        members.push(newUser("member"));
        await app.ctx.rooms.service.join(members[i], roomId);
      }
      // More state changes than the delta chain allows, so some groups are full snapshots again.
      for (let i = 0; i < 70; i++) await app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: `t${i}` });
      const rows = await db().selectFrom("events").select(["state_group_after"]).where("room_id", "=", roomId).execute();
      const groups = [...new Set(rows.map((r) => Number(r.state_group_after)))];
      const full = new StateStore(db());
      const at = new StateAtStore(db());
      const keys = [["m.room.topic", ""], ["m.room.member", members[2].userId], ["m.room.nothing", ""]] as const;
      const selected = await at.select(groups, { keys });
      const exceptMembers = await at.select(groups, { typesExcept: ["m.room.member"] });
      const onlyMembers = await at.select(groups, { types: ["m.room.member"] });
      for (const group of groups) {
        const state = await full.getState(group);
        const expected = (filter: (type: string, stateKey: string) => boolean) =>
          [...state].filter(([key]) => filter(...splitKey(key))).map(([key, id]) => `${key}=${id}`).sort();
        const actual = (entries: typeof selected) => entries.filter((e) => e.group === group).map((e) => `${e.type}\u0000${e.stateKey}=${e.eventId}`).sort();
        expect(actual(selected)).toEqual(expected((t, k) => keys.some(([kt, kk]) => kt === t && kk === k)));
        expect(actual(exceptMembers)).toEqual(expected((t) => t !== "m.room.member"));
        expect(actual(onlyMembers)).toEqual(expected((t) => t === "m.room.member"));
      }
      expect(await at.select([], { keys })).toEqual([]);
      expect(await at.select(groups, { keys: [] })).toEqual([]);
    });
  });

  describe("TimelineStore", () => {
    let alice: Requester;
    let bob: Requester;
    let roomId: string;
    beforeAll(async () => {
      alice = newUser("alice");
      bob = newUser("bob");
      roomId = await h.createRoom(alice);
      await app.ctx.rooms.service.join(bob, roomId);
      await h.send(alice, roomId, "a1");
      await app.ctx.rooms.service.sendMessage(bob, roomId, "org.example_custom", { body: "custom" }, "c1");
      await app.ctx.rooms.service.sendMessage(bob, roomId, "orgXexample_custom", { body: "lookalike" }, "c2");
      await h.send(bob, roomId, "b1");
    });
    const store = () => new TimelineStore(db());
    const bodiesOf = (events: Awaited<ReturnType<TimelineStore["page"]>>) => events.map((e) => e.pdu.content.body).filter(Boolean);

    it("pages backwards inclusive of `from` and forwards exclusive of it, bounded by `to`", async () => {
      const latest = app.ctx.streams.events.current;
      const back = await store().page(roomId, { from: latest, dir: "b", limit: 2 });
      expect(bodiesOf(back)).toEqual(["b1", "lookalike"]);
      const forward = await store().page(roomId, { from: back[1].streamPos - 1, dir: "f", limit: 10, to: latest - 1 });
      expect(bodiesOf(forward)).toEqual(["lookalike"]);
    });

    it("filters by type globs (with literal underscores), senders and their negations in SQL", async () => {
      const latest = app.ctx.streams.events.current;
      const page = (filter: Parameters<TimelineStore["page"]>[1]["filter"]) => store().page(roomId, { from: latest, dir: "b", limit: 50, filter });
      expect(bodiesOf(await page({ types: ["org.example_*"] }))).toEqual(["custom"]);
      expect(bodiesOf(await page({ types: ["m.room.message"], senders: [bob.userId] }))).toEqual(["b1"]);
      expect(bodiesOf(await page({ types: ["m.room.message"], notSenders: [bob.userId] }))).toEqual(["a1"]);
      expect((await page({ notTypes: ["m.room.*", "org*"] })).length).toBe(0);
      expect(await page({ types: [] })).toEqual([]);
    });

    it("finds the newest state change per key in a gap, and the last join", async () => {
      const before = app.ctx.streams.events.current;
      await app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: "one" });
      const second = await app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: "two" });
      await h.send(alice, roomId, "after");
      const changes = await store().stateChangesBetween(roomId, before, app.ctx.streams.events.current + 1);
      expect(changes.map((c) => [c.type, c.eventId])).toEqual([["m.room.topic", second]]);
      const bobJoin = await store().lastJoinPos(roomId, bob.userId, app.ctx.streams.events.current);
      expect((await new EventsStore(db()).lastEventAtOrBefore(roomId, bobJoin!))!.pdu).toMatchObject({ type: "m.room.member", state_key: bob.userId });
      expect(await store().lastJoinPos(roomId, "@never:test.local", app.ctx.streams.events.current)).toBeUndefined();
    });

    it("reads the user's latest membership per room as of a position", async () => {
      const carol = newUser("carol");
      await app.ctx.rooms.service.join(carol, roomId);
      const joinedAt = app.ctx.streams.events.current;
      await app.ctx.rooms.service.membership(carol, roomId, "leave", carol.userId);
      const now = await store().latestMemberships(carol.userId, app.ctx.streams.events.current);
      const then = await store().latestMemberships(carol.userId, joinedAt);
      expect(now.get(roomId)!.pdu.content.membership).toBe("leave");
      expect(then.get(roomId)!.pdu.content.membership).toBe("join");
      expect(now.size).toBe(1);
    });
  });

  describe("CurrentStateReadsStore", () => {
    it("answers one membership, counts, heroes in join order, joined rooms and forgotten rooms", async () => {
      const alice = newUser("alice");
      const roomId = await h.createRoom(alice, { preset: "private_chat" });
      const [b, c, d] = [newUser("b"), newUser("c"), newUser("d")];
      await app.ctx.rooms.service.membership(alice, roomId, "invite", b.userId);
      await app.ctx.rooms.service.membership(alice, roomId, "invite", c.userId);
      await app.ctx.rooms.service.join(c, roomId);
      await app.ctx.rooms.service.membership(alice, roomId, "invite", d.userId);
      await app.ctx.rooms.service.membership(d, roomId, "leave", d.userId);
      const store = new CurrentStateReadsStore(db());
      expect((await store.membership(roomId, c.userId))!.membership).toBe("join");
      expect(await store.membership(roomId, "@nobody:test.local")).toBeUndefined();
      expect(await store.memberCounts(roomId)).toEqual({ joined: 2, invited: 1 });
      expect(await store.heroes(roomId, alice.userId, 5)).toEqual([b.userId, c.userId]);
      expect(await store.joinedRoomIds(c.userId)).toEqual([roomId]);
      expect((await store.members(roomId)).length).toBe(4);
      await app.ctx.rooms.service.forget(d, roomId);
      expect(await store.forgottenRooms(d.userId, [roomId, "!other:test.local"])).toEqual(new Set([roomId]));
    });
  });
});

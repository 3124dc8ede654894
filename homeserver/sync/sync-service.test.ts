import { describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { parseRoomToken } from "../streams/sync-token.js";
import { specErrors } from "./testing/spec-schemas.js";
import { bodies, inlineFilter, newUser, SyncHarness, timelineIds } from "./testing/sync-fixtures.js";

const SYNC = "/_matrix/client/v3/sync";

describe.each(testDrivers())("sync service on %s", (driver) => {
  const { app } = useTestApp(driver);
  const h = new SyncHarness(app);

  it("initial sync sends each joined room with its state at the start of the timeline and the newest events", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice, { name: "Initial" });
    for (let i = 0; i < 12; i++) await h.send(alice, roomId, `m${i}`);
    const response = await h.sync(alice);
    expect(specErrors(SYNC, "GET", 200, response)).toEqual([]);
    const room = response.rooms!.join![roomId];
    expect(room.timeline.events).toHaveLength(10);
    expect(bodies(room.timeline.events)).toEqual(["m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11"]);
    expect(room.timeline.limited).toBe(true);
    expect(room.timeline.prev_batch).toBeDefined();
    const stateTypes = room.state!.events.map((e) => e.type);
    expect(stateTypes).toEqual(expect.arrayContaining(["m.room.create", "m.room.member", "m.room.power_levels", "m.room.name"]));
    expect(room.summary["m.joined_member_count"]).toBe(1);
    // Timeline events carry no room_id in sync (ClientEventWithoutRoomID).
    expect(room.timeline.events[0]).not.toHaveProperty("room_id");
  });

  it("a user who left, rejoined and was kicked within one window gets the room under leave with both events", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const roomId = await h.createRoom(alice, { preset: "public_chat" });
    await app.ctx.rooms.service.join(bob, roomId);
    await app.ctx.rooms.service.membership(bob, roomId, "leave", bob.userId);
    const before = await h.sync(bob);
    await app.ctx.rooms.service.join(bob, roomId);
    await app.ctx.rooms.service.membership(alice, roomId, "kick", bob.userId, "out");
    const after = await h.sync(bob, { since: before.next_batch });
    const left = after.rooms?.leave?.[roomId];
    expect(left).toBeDefined();
    const memberships = left!.timeline.events.filter((e) => e.type === "m.room.member" && e.state_key === bob.userId);
    expect(memberships.map((e) => [e.content?.membership, e.sender])).toEqual([
      ["join", bob.userId],
      ["leave", alice.userId],
    ]);
  });

  it("incremental sync delivers each new event exactly once and nothing for quiet rooms", async () => {
    const alice = newUser("alice");
    const busy = await h.createRoom(alice);
    const quiet = await h.createRoom(alice);
    const first = await h.sync(alice);
    const sent = [await h.send(alice, busy, "one"), await h.send(alice, busy, "two")];
    const second = await h.sync(alice, { since: first.next_batch });
    expect(specErrors(SYNC, "GET", 200, second)).toEqual([]);
    expect(timelineIds(second, busy)).toEqual(sent);
    expect(second.rooms!.join![busy].timeline.limited).toBe(false);
    expect(second.rooms!.join![busy].state!.events).toEqual([]);
    expect(second.rooms!.join![quiet]).toBeUndefined();
    const third = await h.sync(alice, { since: second.next_batch });
    expect(third.rooms).toBeUndefined();
    expect(third.next_batch).toBe(second.next_batch);
  });

  it("a limited incremental timeline sends the state that changed in the gap, and prev_batch reaches the gap", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const start = await h.sync(alice);
    const gap = [await h.send(alice, roomId, "gap1")];
    await app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: "changed in the gap" });
    gap.push(await h.send(alice, roomId, "gap2"));
    for (let i = 0; i < 3; i++) await h.send(alice, roomId, `late${i}`);
    const response = await h.sync(alice, { since: start.next_batch, filter: inlineFilter({ room: { timeline: { limit: 3 } } }) });
    const room = response.rooms!.join![roomId];
    expect(bodies(room.timeline.events)).toEqual(["late0", "late1", "late2"]);
    expect(room.timeline.limited).toBe(true);
    expect(room.state!.events.map((e) => [e.type, e.content?.topic])).toEqual([["m.room.topic", "changed in the gap"]]);
    const page = await app.ctx.roomReads.timeline.messages(alice, roomId, { dir: "b", from: room.timeline.prev_batch, limit: 3 });
    expect(page.chunk.map((e) => e.event_id)).toEqual([gap[1], expect.any(String), gap[0]]);
  });

  it("sends unsigned.transaction_id only to the device that sent the event", async () => {
    const alice = newUser("alice", "PHONE");
    const laptop = { ...alice, deviceId: "LAPTOP" };
    const roomId = await h.createRoom(alice);
    const start = await h.sync(alice);
    await h.send(alice, roomId, "hello", "my-txn");
    const phone = await h.sync(alice, { since: start.next_batch });
    const other = await h.sync(laptop, { since: start.next_batch });
    expect(phone.rooms!.join![roomId].timeline.events[0].unsigned?.transaction_id).toBe("my-txn");
    expect(other.rooms!.join![roomId].timeline.events[0].unsigned).not.toHaveProperty("transaction_id");
  });

  it("shows an invite with stripped state, then the room with full state once joined", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const roomId = await h.createRoom(alice, { name: "Party", preset: "private_chat" });
    await h.send(alice, roomId, "before bob");
    const start = await h.sync(bob);
    await app.ctx.rooms.service.membership(alice, roomId, "invite", bob.userId);
    const invited = await h.sync(bob, { since: start.next_batch });
    expect(specErrors(SYNC, "GET", 200, invited)).toEqual([]);
    const stripped = invited.rooms!.invite![roomId].invite_state.events;
    expect(stripped.map((e) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.join_rules", "m.room.name", "m.room.member"]));
    expect(stripped.at(-1)).toMatchObject({ type: "m.room.member", state_key: bob.userId, content: { membership: "invite" } });
    expect(stripped.find((e) => e.type === "m.room.member" && e.state_key === alice.userId)).toBeDefined();

    await app.ctx.rooms.service.join(bob, roomId);
    const joined = await h.sync(bob, { since: invited.next_batch });
    const room = joined.rooms!.join![roomId];
    // Newly joined: the room's latest events, as in an initial sync (the room is "shared": history before the join
    // is visible), not only the join.
    expect(bodies(room.timeline.events)).toContain("before bob");
    expect(room.timeline.events.slice(-2).map((e) => [e.type, e.state_key, e.content?.membership])).toEqual([
      ["m.room.member", bob.userId, "invite"],
      ["m.room.member", bob.userId, "join"],
    ]);
    // The whole room fits in the timeline: its state events are there, and the state before it is empty.
    const stateTypes = [...room.state!.events, ...room.timeline.events.filter((e) => e.state_key !== undefined)].map((e) => e.type);
    expect(stateTypes).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels", "m.room.name"]));
    expect(room.summary["m.joined_member_count"]).toBe(2);
    expect(joined.rooms!.invite).toBeUndefined();
  });

  it("a room joined within the window comes with its latest events that the joiner may see, limited with a prev_batch", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const open = await h.createRoom(alice, { preset: "public_chat" });
    for (let i = 0; i < 12; i++) await h.send(alice, open, `open ${i}`);
    const hidden = await h.createRoom(alice, { preset: "public_chat" });
    await h.setVisibility(alice, hidden, "joined");
    await h.send(alice, hidden, "before the join");
    const start = await h.sync(bob);
    await app.ctx.rooms.service.join(bob, open);
    await app.ctx.rooms.service.join(bob, hidden);
    const after = await h.sync(bob, { since: start.next_batch });
    const room = after.rooms!.join![open];
    expect(bodies(room.timeline.events)).toEqual(["open 3", "open 4", "open 5", "open 6", "open 7", "open 8", "open 9", "open 10", "open 11"]);
    expect(room.timeline.events.at(-1)).toMatchObject({ type: "m.room.member", state_key: bob.userId, content: { membership: "join" } });
    expect(room.timeline.limited).toBe(true);
    expect(room.state!.events.map((e) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels"]));
    // Under "joined" history visibility nothing from before the join is sent.
    expect(bodies(after.rooms!.join![hidden].timeline.events)).not.toContain("before the join");
  });

  it("reports a room the user left in rooms.leave with nothing after the leave, and never a forgotten room", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const roomId = await h.createRoom(alice);
    await app.ctx.rooms.service.join(bob, roomId);
    const start = await h.sync(bob);
    await h.send(alice, roomId, "before leave");
    await app.ctx.rooms.service.membership(bob, roomId, "leave", bob.userId);
    await h.send(alice, roomId, "after leave");
    const response = await h.sync(bob, { since: start.next_batch });
    expect(specErrors(SYNC, "GET", 200, response)).toEqual([]);
    const left = response.rooms!.leave![roomId];
    expect(bodies(left.timeline.events)).toEqual(["before leave"]);
    expect(left.timeline.events.at(-1)).toMatchObject({ type: "m.room.member", state_key: bob.userId, content: { membership: "leave" } });
    expect(response.rooms!.join?.[roomId]).toBeUndefined();

    const next = await h.sync(bob, { since: response.next_batch });
    expect(next.rooms?.leave?.[roomId]).toBeUndefined();
    const withoutLeave = await h.sync(bob);
    expect(withoutLeave.rooms?.leave?.[roomId]).toBeUndefined();
    const withLeave = await h.sync(bob, { filter: inlineFilter({ room: { include_leave: true } }) });
    expect(bodies(withLeave.rooms!.leave![roomId].timeline.events)).toEqual(["before leave"]);
    await app.ctx.rooms.service.forget(bob, roomId);
    const forgotten = await h.sync(bob, { filter: inlineFilter({ room: { include_leave: true } }) });
    expect(forgotten.rooms?.leave?.[roomId]).toBeUndefined();
  });

  it("applies timeline type, sender and room filters", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const roomId = await h.createRoom(alice);
    const other = await h.createRoom(alice);
    await app.ctx.rooms.service.join(bob, roomId);
    const start = await h.sync(alice);
    await h.send(alice, roomId, "from alice");
    await h.send(bob, roomId, "from bob");
    await app.ctx.rooms.service.sendState(alice, roomId, "m.room.topic", "", { topic: "t" });
    await h.send(alice, other, "elsewhere");
    const onlyBobMessages = inlineFilter({ room: { rooms: [roomId], timeline: { types: ["m.room.mess*"], senders: [bob.userId] } } });
    const response = await h.sync(alice, { since: start.next_batch, filter: onlyBobMessages });
    expect(Object.keys(response.rooms!.join!)).toEqual([roomId]);
    expect(bodies(response.rooms!.join![roomId].timeline.events)).toEqual(["from bob"]);
    const noMessages = await h.sync(alice, { since: start.next_batch, filter: inlineFilter({ room: { timeline: { not_types: ["m.room.message"] } } }) });
    expect(noMessages.rooms!.join![roomId].timeline.events.map((e) => e.type)).toEqual(["m.room.topic"]);
  });

  it("lazy-loads only the memberships of timeline senders, once per device unless redundant members are asked for", async () => {
    const alice = newUser("alice");
    // Named, so the summary needs no heroes (whose memberships lazy-loading must also send).
    const roomId = await h.createRoom(alice, { name: "Lazy" });
    const members = [newUser("m"), newUser("m"), newUser("m")];
    for (const m of members) await app.ctx.rooms.service.join(m, roomId);
    await h.send(members[0], roomId, "hi");
    const lazy = { room: { timeline: { limit: 1 }, state: { lazy_load_members: true } } };
    const initial = await h.sync(alice, { filter: inlineFilter(lazy) });
    const memberKeys = (r: typeof initial) => r.rooms!.join![roomId].state!.events.filter((e) => e.type === "m.room.member").map((e) => e.state_key).sort();
    expect(memberKeys(initial)).toEqual([alice.userId, members[0].userId].sort());
    expect(initial.rooms!.join![roomId].state!.events.some((e) => e.type === "m.room.power_levels")).toBe(true);

    await h.send(members[0], roomId, "again");
    await h.send(members[1], roomId, "new voice");
    const next = await h.sync(alice, { since: initial.next_batch, filter: inlineFilter({ room: { timeline: { limit: 10 }, state: { lazy_load_members: true } } }) });
    expect(memberKeys(next)).toEqual([members[1].userId]);

    const redundant = { room: { timeline: { limit: 10 }, state: { lazy_load_members: true, include_redundant_members: true } } };
    await h.send(members[0], roomId, "third");
    const withRedundant = await h.sync(alice, { since: next.next_batch, filter: inlineFilter(redundant) });
    expect(memberKeys(withRedundant)).toEqual([members[0].userId]);
  });

  it("lazy-loading sends the heroes' memberships of an unnamed room with the summary", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const bob = newUser("bob");
    await app.ctx.rooms.service.join(bob, roomId);
    await h.send(alice, roomId, "hi");
    const response = await h.sync(alice, { filter: inlineFilter({ room: { timeline: { limit: 1 }, state: { lazy_load_members: true } } }) });
    const room = response.rooms!.join![roomId];
    expect(room.summary["m.heroes"]).toEqual([bob.userId]);
    expect(room.state!.events.filter((e) => e.type === "m.room.member").map((e) => e.state_key)).toContain(bob.userId);
  });

  it("sends global and room account data changed since the token, filtered by type", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const start = await h.sync(alice);
    await app.ctx.users.accountData.set(alice.userId, null, "org.example.one", { n: 1 });
    await app.ctx.users.accountData.set(alice.userId, null, "org.example.hidden", { n: 2 });
    await app.ctx.users.accountData.set(alice.userId, roomId, "org.example.room", { n: 3 });
    const filter = inlineFilter({ account_data: { not_types: ["org.example.hidden"] } });
    const response = await h.sync(alice, { since: start.next_batch, filter });
    expect(response.account_data!.events).toEqual([{ type: "org.example.one", content: { n: 1 } }]);
    expect(response.rooms!.join![roomId].account_data.events).toEqual([{ type: "org.example.room", content: { n: 3 } }]);
    expect(response.rooms!.join![roomId].timeline.events).toEqual([]);
    const initial = await h.sync(alice);
    // The server's push rules come with every initial sync (as Synapse sends them).
    expect(initial.account_data!.events.map((e) => e.type).sort()).toEqual(["m.push_rules", "org.example.hidden", "org.example.one"]);
  });

  it("full_state resends the whole state of every joined room without waiting", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    const start = await h.sync(alice);
    const began = Date.now();
    const response = await h.sync(alice, { since: start.next_batch, fullState: true, timeoutMs: 10_000 });
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(response.rooms!.join![roomId].state!.events.map((e) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.power_levels"]));
  });

  it("refuses an invalid since token and an unknown filter id with 400", async () => {
    const alice = newUser("alice");
    await expect(h.sync(alice, { since: "not-a-token" })).rejects.toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
    await expect(h.sync(alice, { filter: "424242" })).rejects.toMatchObject({ status: 400, errcode: "M_INVALID_PARAM" });
    await expect(h.sync(alice, { filter: "{not json" })).rejects.toMatchObject({ status: 400, errcode: "M_NOT_JSON" });
    await expect(h.sync(alice, { filter: inlineFilter({ room: { timeline: { limit: "ten" } } }) })).rejects.toMatchObject({ status: 400, errcode: "M_BAD_JSON" });
  });

  it("uses a stored filter by id", async () => {
    const alice = newUser("alice");
    const roomId = await h.createRoom(alice);
    for (let i = 0; i < 4; i++) await h.send(alice, roomId, `m${i}`);
    const filterId = await app.ctx.users.filters.create(alice.userId, { room: { timeline: { limit: 2 } } });
    const response = await h.sync(alice, { filter: filterId });
    expect(bodies(response.rooms!.join![roomId].timeline.events)).toEqual(["m2", "m3"]);
  });

  it("use_state_after sends state_after (the state at the end of the timeline) and no state", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const roomId = await h.createRoom(alice, { name: "Before" });
    await app.ctx.rooms.service.join(bob, roomId);
    for (let i = 0; i < 12; i++) await h.send(alice, roomId, `m${i}`);
    const initial = await h.sync(bob, { useStateAfter: true });
    expect(specErrors(SYNC, "GET", 200, initial)).toEqual([]);
    const room = initial.rooms!.join![roomId];
    expect(room.state).toBeUndefined();
    expect(room.state_after!.events.map((e) => e.type)).toEqual(expect.arrayContaining(["m.room.create", "m.room.name", "m.room.member"]));

    // A state change that arrives inside a non-limited timeline is still in state_after.
    await app.ctx.rooms.service.sendState(alice, roomId, "m.room.name", "", { name: "After" });
    await h.send(alice, roomId, "later");
    const next = await h.sync(bob, { since: initial.next_batch, useStateAfter: true });
    const delta = next.rooms!.join![roomId];
    expect(delta.timeline.limited).toBe(false);
    expect(delta.state_after!.events.map((e) => [e.type, e.content?.name])).toEqual([["m.room.name", "After"]]);
    const quietState = await h.sync(bob, { since: initial.next_batch, useStateAfter: false });
    expect(quietState.rooms!.join![roomId].state!.events).toEqual([]);

    await app.ctx.rooms.service.membership(bob, roomId, "leave", bob.userId);
    const left = await h.sync(bob, { since: next.next_batch, useStateAfter: true });
    expect(specErrors(SYNC, "GET", 200, left)).toEqual([]);
    expect(left.rooms!.leave![roomId].state_after!.events.map((e) => [e.type, e.state_key])).toEqual([["m.room.member", bob.userId]]);
  });

  it("next_batch carries the published position of each stream", async () => {
    const alice = newUser("alice");
    await h.createRoom(alice);
    const response = await h.sync(alice);
    expect(response.next_batch).toMatch(/^s\d+(_\d+){6}$/);
    expect(parseRoomToken(response.next_batch)).toBe(app.ctx.streams.events.current);
  });
});

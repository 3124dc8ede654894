import { describe, expect, it, vi } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import type { Requester } from "../users/requester.js";
import type { CreateRoomRequest } from "./create-room.js";

let counter = 0;
const user = (name: string): Requester => ({ userId: `@${name}${++counter}:test.local`, deviceId: "DEV", isAdmin: false, tokenHash: "" });

/** POST /createRoom is all or nothing: a creation that fails leaves no trace of its room anywhere. */
describe.each(testDrivers())("createRoom atomicity (%s)", (driver) => {
  const { app } = useTestApp(driver);

  /** Every table a room writes to, counted, with the creator's rooms. */
  async function footprint(userId: string) {
    const db = app.ctx.db;
    const count = async (table: "rooms" | "events" | "current_state" | "room_aliases" | "forward_extremities" | "state_groups") =>
      Number((await db.selectFrom(table).select(db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
    return {
      rooms: await count("rooms"),
      events: await count("events"),
      currentState: await count("current_state"),
      aliases: await count("room_aliases"),
      extremities: await count("forward_extremities"),
      stateGroups: await count("state_groups"),
      published: (await app.ctx.stores.rooms.publicRoomIds()).length,
      joined: (await app.ctx.stores.rooms.roomsForUser(userId, ["join", "invite"])).length,
    };
  }

  /** The room ids the persister started writing, so a test can check none of them is remembered. */
  function watchRoomRows() {
    const started: string[] = [];
    const original = app.ctx.stores.rooms.create.bind(app.ctx.stores.rooms);
    const spy = vi.spyOn(app.ctx.stores.rooms, "create").mockImplementation(async (tx, row) => {
      started.push(row.roomId);
      return original(tx, row);
    });
    return { started, restore: () => spy.mockRestore() };
  }

  async function expectNothingLeft(alice: Requester, request: CreateRoomRequest, errcode: string, status = 400) {
    const before = await footprint(alice.userId);
    const watch = watchRoomRows();
    let outcome: unknown;
    try {
      outcome = await app.ctx.rooms.service.createRoom(alice, request).catch((error: unknown) => error);
    } finally {
      watch.restore();
    }
    expect(await footprint(alice.userId)).toEqual(before);
    expect(outcome).toMatchObject({ errcode, status });
    for (const roomId of watch.started) {
      expect(app.ctx.rooms.persister.loadedRoomMemory(roomId)).toBeUndefined();
      expect(await app.ctx.rooms.persister.roomMemory(roomId)).toBeUndefined();
    }
  }

  it("a power_level_content_override that fails the auth rules (v12 creator listed in users) is 400 M_INVALID_ROOM_STATE, and no room is left", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { power_level_content_override: { users: { [alice.userId]: 100 } } }, "M_INVALID_ROOM_STATE");
  });

  it("a power_level_content_override with a non-integer level is refused before anything is written", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { power_level_content_override: { ban: "50" } }, "M_INVALID_ROOM_STATE");
  });

  it("a power_level_content_override whose users leave out the creator (v11) is refused, as Synapse does", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { room_version: "11", power_level_content_override: { users: { "@someone:test.local": 100 } } }, "M_INVALID_PARAM");
  });

  it("initial_state that cannot be sent (a second m.room.create, a member event for someone else) leaves no room", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { initial_state: [{ type: "m.room.create", content: {} }] }, "M_INVALID_ROOM_STATE");
    await expectNothingLeft(alice, { initial_state: [{ type: "m.room.member", state_key: "@bob:test.local", content: { membership: "join" } }] }, "M_INVALID_ROOM_STATE");
  });

  it("initial_state over the event size limit leaves no room", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { initial_state: [{ type: "m.room.topic", content: { topic: "x".repeat(70_000) } }] }, "M_INVALID_ROOM_STATE");
  });

  it("a name or topic that is not a string is 400 M_BAD_JSON with nothing written", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { name: 5 as unknown as string }, "M_BAD_JSON");
    await expectNothingLeft(alice, { topic: { text: "t" } as unknown as string }, "M_BAD_JSON");
  });

  it("an invite that cannot be made (the creator invites themselves) is 400 M_INVALID_PARAM and leaves no room", async () => {
    const alice = user("alice");
    await expectNothingLeft(alice, { name: "Self", invite: [alice.userId] }, "M_INVALID_PARAM");
  });

  it("third-party invites, which this server cannot make, are refused before anything is written", async () => {
    const alice = user("alice");
    const invite_3pid = [{ id_server: "id.example", id_access_token: "t", medium: "email", address: "a@example.org" }];
    await expectNothingLeft(alice, { invite_3pid } as CreateRoomRequest, "M_INVALID_PARAM");
    // An empty list asks for nothing.
    await expect(app.ctx.rooms.service.createRoom(alice, { invite_3pid: [] } as CreateRoomRequest)).resolves.toMatch(/^!/);
  });

  it("an alias taken by a concurrent createRoom fails the later one with M_ROOM_IN_USE and leaves only the winner", async () => {
    const alice = user("alice");
    const before = await footprint(alice.userId);
    const results = await Promise.allSettled([0, 1].map((i) => app.ctx.rooms.service.createRoom(alice, { room_alias_name: `race${counter}`, name: `Racer ${i}`, visibility: "public" })));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toMatchObject({ errcode: "M_ROOM_IN_USE", status: 400 });
    const after = await footprint(alice.userId);
    expect(after.rooms).toBe(before.rooms + 1);
    expect(after.joined).toBe(before.joined + 1);
    expect(after.aliases).toBe(before.aliases + 1);
    expect(after.published).toBe(before.published + 1);
  });

  it("a failure while writing rolls back every row of the room, forgets it, wakes nobody and does not hold back later writes", async () => {
    const alice = user("alice");
    const before = await footprint(alice.userId);
    const stores = app.ctx.stores;
    const original = stores.rooms.setCurrentState.bind(stores.rooms);
    let calls = 0;
    const failing = vi.spyOn(stores.rooms, "setCurrentState").mockImplementation(async (tx, roomId, row) => {
      if (++calls === 4) throw new Error("disk on fire");
      return original(tx, roomId, row);
    });
    const woken = vi.spyOn(app.ctx.notifier, "onNew");
    const watch = watchRoomRows();
    try {
      await expect(app.ctx.rooms.service.createRoom(alice, { room_alias_name: `fire${counter}`, visibility: "public", name: "Doomed" })).rejects.toThrow(/disk on fire/);
    } finally {
      failing.mockRestore();
      watch.restore();
    }
    const wokenRooms = woken.mock.calls.flatMap(([, , audience]) => [...(audience.rooms ?? [])]);
    woken.mockRestore();
    expect(await footprint(alice.userId)).toEqual(before);
    expect(watch.started).toHaveLength(1);
    const [roomId] = watch.started;
    expect(wokenRooms).not.toContain(roomId);
    expect(app.ctx.rooms.persister.loadedRoomMemory(roomId)).toBeUndefined();
    expect(await app.ctx.rooms.persister.roomMemory(roomId)).toBeUndefined();
    // The abandoned stream positions do not hold readers back: the next room is visible at once.
    const next = await app.ctx.rooms.service.createRoom(alice, { room_alias_name: `fire${counter}`, name: "Second try" });
    const last = await app.ctx.db.selectFrom("events").select(app.ctx.db.fn.max("stream_pos").as("pos")).where("room_id", "=", next).executeTakeFirstOrThrow();
    expect(app.ctx.streams.events.current).toBeGreaterThanOrEqual(Number(last.pos));
  });

  it("creates the whole room in one go: every event in order, with the alias, the directory entry and the invites", async () => {
    const alice = user("alice");
    const bob = user("bob");
    const roomId = await app.ctx.rooms.service.createRoom(alice, {
      room_alias_name: `whole${counter}`,
      visibility: "public",
      name: "Whole",
      topic: "All of it",
      invite: [bob.userId],
      is_direct: true,
      initial_state: [{ type: "m.room.name", content: { name: "Overridden by name" } }],
    });
    const rows = await app.ctx.db.selectFrom("events").select(["type", "state_key", "room_seq", "depth"]).where("room_id", "=", roomId).orderBy("room_seq").execute();
    expect(rows.map((r) => r.type)).toEqual([
      "m.room.create",
      "m.room.member",
      "m.room.power_levels",
      "m.room.canonical_alias",
      "m.room.join_rules",
      "m.room.history_visibility",
      "m.room.guest_access",
      "m.room.name",
      "m.room.name",
      "m.room.topic",
      "m.room.member",
    ]);
    expect(rows.map((r) => Number(r.room_seq))).toEqual(rows.map((_, i) => i + 1));
    const memory = (await app.ctx.rooms.persister.roomMemory(roomId))!;
    expect(memory.stateEvent("m.room.name")?.content.name).toBe("Whole");
    expect(memory.stateEvent("m.room.member", bob.userId)?.content).toMatchObject({ membership: "invite", is_direct: true });
    expect(await app.ctx.rooms.service.resolveRoom(`#whole${counter}:test.local`)).toBe(roomId);
    expect(await app.ctx.stores.rooms.publicRoomIds()).toContain(roomId);
    // A later send follows on from the last event: the room's memory matches what was written.
    await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { msgtype: "m.text", body: "after" }, "t1");
    const seqs = await app.ctx.db.selectFrom("events").select("room_seq").where("room_id", "=", roomId).orderBy("room_seq").execute();
    expect(seqs.map((r) => Number(r.room_seq))).toEqual(seqs.map((_, i) => i + 1));
  });
});

import { newUser } from "../users/testing/requesters.js";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../app/testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { createAppContext } from "../app/create-app-context.js";
import { silentLogger } from "../core/logger.js";
import type { Requester } from "../users/requester.js";
import { MatrixError } from "../errors.js";

const user = (name: string): Requester => newUser(name);

describe.each(testDrivers())("rooms on %s", (driver) => {
  const { app } = useTestApp(driver);

  it.each(["12", "10", "1", "3"])("creates a version %s room whose creator is joined with power", async (version) => {
    const alice = user("alice");
    const roomId = await app.ctx.rooms.service.createRoom(alice, { room_version: version, name: "Room", topic: "Topic" });
    const memory = (await app.ctx.rooms.persister.roomMemory(roomId))!;
    expect(memory.version.id).toBe(version);
    expect(memory.membershipOf(alice.userId)).toBe("join");
    expect(memory.stateEvent("m.room.name")?.content.name).toBe("Room");
    expect(memory.stateEvent("m.room.join_rules")?.content.join_rule).toBe("invite");
    if (version === "12") expect(roomId).toBe(`!${memory.stateEvent("m.room.create")!.event_id.slice(1)}`);
    else expect(roomId.endsWith(":test.local")).toBe(true);
  });

  it("invites, joins, sends and gives every event a gapless room sequence", async () => {
    const alice = user("alice");
    const bob = user("bob");
    const roomId = await app.ctx.rooms.service.createRoom(alice, { invite: [bob.userId] });
    await app.ctx.rooms.service.join(bob, roomId);
    await app.ctx.rooms.service.sendMessage(bob, roomId, "m.room.message", { msgtype: "m.text", body: "hi" }, "t1");
    const rows = await app.ctx.db.selectFrom("events").select(["room_seq", "stream_pos"]).where("room_id", "=", roomId).orderBy("room_seq").execute();
    expect(rows.map((r) => Number(r.room_seq))).toEqual(rows.map((_, i) => i + 1));
    const positions = rows.map((r) => Number(r.stream_pos));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("refuses a non-member's message and an uninvited join with M_FORBIDDEN", async () => {
    const alice = user("alice");
    const mallory = user("mallory");
    const roomId = await app.ctx.rooms.service.createRoom(alice, {});
    await expect(app.ctx.rooms.service.sendMessage(mallory, roomId, "m.room.message", { body: "x" }, "t")).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await expect(app.ctx.rooms.service.join(mallory, roomId)).rejects.toBeInstanceOf(MatrixError);
  });

  it("returns the same event for a retried txnId, even from a restarted server", async () => {
    const alice = user("alice");
    const roomId = await app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    const first = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "once" }, "txn-1");
    const again = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "once" }, "txn-1");
    expect(again).toBe(first);
    // A second context over the same database stands for the restarted process (it only reads here).
    const restarted = await createAppContext({ config: app.ctx.config, database: app.ctx.database, signingKey: app.ctx.signingKey, logger: silentLogger });
    expect(await restarted.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "once" }, "txn-1")).toBe(first);
    const otherDevice = { ...alice, deviceId: "OTHER" };
    expect(await app.ctx.rooms.service.sendMessage(otherDevice, roomId, "m.room.message", { body: "x" }, "txn-1")).not.toBe(first);
  });

  it("lets a public room be joined, and kick, ban and unban follow power levels", async () => {
    const alice = user("alice");
    const bob = user("bob");
    const roomId = await app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await app.ctx.rooms.service.join(bob, roomId);
    await expect(app.ctx.rooms.service.membership(bob, roomId, "kick", alice.userId)).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await app.ctx.rooms.service.membership(alice, roomId, "ban", bob.userId, "spam");
    await expect(app.ctx.rooms.service.join(bob, roomId)).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await app.ctx.rooms.service.membership(alice, roomId, "unban", bob.userId);
    await app.ctx.rooms.service.join(bob, roomId);
    const memory = (await app.ctx.rooms.persister.roomMemory(roomId))!;
    expect(memory.membershipOf(bob.userId)).toBe("join");
  });

  it("redacts own events; another user's only with the redact level", async () => {
    const alice = user("alice");
    const bob = user("bob");
    const roomId = await app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await app.ctx.rooms.service.join(bob, roomId);
    const aliceMsg = await app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "secret" }, "a1");
    await expect(app.ctx.rooms.service.redact(bob, roomId, aliceMsg, "r1")).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    const bobMsg = await app.ctx.rooms.service.sendMessage(bob, roomId, "m.room.message", { body: "oops" }, "b1");
    const redaction = await app.ctx.rooms.service.redact(bob, roomId, bobMsg, "r2");
    const stored = await app.ctx.stores.events.get(bobMsg);
    expect(stored?.redactedBy).toBe(redaction);
  });

  it("keeps stream positions unique and rooms ordered under concurrent senders", async () => {
    const alice = user("alice");
    const rooms = await Promise.all([0, 1, 2].map(() => app.ctx.rooms.service.createRoom(alice, {})));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => app.ctx.rooms.service.sendMessage(alice, rooms[i % 3], "m.room.message", { body: `${i}` }, `c${i}`)),
    );
    for (const roomId of rooms) {
      const rows = await app.ctx.db.selectFrom("events").select(["room_seq", "stream_pos"]).where("room_id", "=", roomId).orderBy("room_seq").execute();
      const positions = rows.map((r) => Number(r.stream_pos));
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(app.ctx.streams.events.current).toBeGreaterThanOrEqual(30);
  });
});

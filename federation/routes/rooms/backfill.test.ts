import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { newUser, startPeer, stopPeers, type Peer } from "../testing/peers.js";

describe.each(testDrivers())("history from before our server joined (%s)", (driver) => {
  let a: Peer;
  let b: Peer;
  beforeAll(async () => {
    a = await startPeer(driver);
    b = await startPeer(driver);
  });
  afterAll(() => stopPeers(a, b));

  it("/messages back-paginates through backfill into history only the remote server holds, down to m.room.create", async () => {
    const alice = await newUser(a, "alice");
    const bob = await newUser(b, "bob");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat", name: "Old room" });
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) sent.push(await a.app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: `old ${i}` }, `old-${i}`));
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);

    const seen: Array<{ type: string; event_id: string }> = [];
    let from: string | undefined;
    for (let page = 0; page < 20; page++) {
      const response = await b.app.ctx.roomReads.timeline.messages(bob, roomId, { dir: "b", limit: 10, from });
      seen.push(...response.chunk);
      if (!response.end) break;
      from = response.end;
    }
    expect(seen.at(-1)?.type).toBe("m.room.create");
    const messages = seen.filter((e) => e.type === "m.room.message").map((e) => e.event_id).reverse();
    expect(messages).toEqual(sent);
    expect(new Set(seen.map((e) => e.event_id)).size).toBe(seen.length);
    // Backfilled history is for /messages; a live /sync never replays it.
    const sync = await b.app.ctx.sync.sync(bob, {});
    const timeline = sync.rooms?.join?.[roomId]?.timeline.events ?? [];
    expect(timeline.filter((e) => sent.includes(e.event_id!))).toEqual([]);
  });

  it("an event redacted before our server joined comes back through backfill redacted, with its redaction as redacted_because", async () => {
    const alice = await newUser(a, "alice2");
    const bob = await newUser(b, "bob2");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    const target = await a.app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: "take it back" }, "take-1");
    const redaction = await a.app.ctx.rooms.service.redact(alice, roomId, target, "take-2");
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);

    const seen: Array<{ event_id?: string; content?: Record<string, unknown>; unsigned?: Record<string, unknown> }> = [];
    let from: string | undefined;
    for (let page = 0; page < 10; page++) {
      const response = await b.app.ctx.roomReads.timeline.messages(bob, roomId, { dir: "b", limit: 10, from });
      seen.push(...response.chunk);
      if (!response.end) break;
      from = response.end;
    }
    const backfilled = seen.find((e) => e.event_id === target);
    expect(backfilled?.content).toEqual({});
    expect((backfilled?.unsigned?.redacted_because as { event_id?: string } | undefined)?.event_id).toBe(redaction);
    expect((await b.app.ctx.stores.events.get(target))?.redactedBy).toBe(redaction);
  });
});

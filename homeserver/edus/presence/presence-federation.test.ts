import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import type { Requester } from "../../users/requester.js";
import { FEDERATION_TIMEOUT_MS } from "./presence-service.js";
import { eventually, localUser, startLoopbackServer, type LoopbackServer } from "../../app/testing/loopback-server.js";

describe.each(testDrivers())("presence between two servers (%s)", (driver) => {
  // Server a's clock can jump ahead, to show a silent peer's users going offline.
  const clockOfA = { offset: 0, now: () => Date.now() + clockOfA.offset };
  let a: LoopbackServer;
  let b: LoopbackServer;
  let alice: Requester;
  let bob: Requester;
  beforeAll(async () => {
    [a, b] = await Promise.all([startLoopbackServer(driver, { clock: clockOfA }), startLoopbackServer(driver)]);
    alice = await localUser(a, "alice");
    bob = await localUser(b, "bob");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);
  });
  afterAll(() => Promise.all([a?.app.dispose(), b?.app.dispose()]));

  /** `subject`'s m.presence content in `viewer`'s initial sync on `server`, once it matches `wanted`. */
  const presenceSeen = (server: LoopbackServer, viewer: Requester, subject: string, wanted: Record<string, unknown>) =>
    eventually(async () => {
      const sync = await server.app.ctx.sync.sync(viewer, { setPresence: "offline" });
      const events = (sync.presence?.events ?? []) as Array<{ sender?: string; content: Record<string, unknown> }>;
      const content = events.find((e) => e.sender === subject)?.content;
      return content && Object.entries(wanted).every(([key, value]) => content[key] === value) ? content : undefined;
    }, `${viewer.userId} sees ${subject} as ${JSON.stringify(wanted)}`);

  it("a remote user's presence and status reach their room-mates on the other server, in sync and through GET", async () => {
    await b.app.ctx.edus.presence.setFromClient(bob, bob.userId, "online", "on the train");
    const content = await presenceSeen(a, alice, bob.userId, { presence: "online", status_msg: "on the train" });
    expect(content.currently_active).toBe(true);
    expect(await a.app.ctx.edus.presence.getFor(alice, bob.userId)).toMatchObject({ presence: "online", status_msg: "on the train" });

    await b.app.ctx.edus.presence.setFromClient(bob, bob.userId, "unavailable", undefined);
    const idle = await presenceSeen(a, alice, bob.userId, { presence: "unavailable" });
    expect(idle.status_msg).toBeUndefined();
  });

  it("a local user's presence goes to the other server the same way", async () => {
    await a.app.ctx.sync.sync(alice, {});
    await presenceSeen(b, bob, alice.userId, { presence: "online" });
    await a.app.ctx.edus.presence.setFromClient(alice, alice.userId, "offline", "gone fishing");
    await presenceSeen(b, bob, alice.userId, { presence: "offline", status_msg: "gone fishing" });
  });

  it("a server that comes to share a room gets its members' presence at the join, both ways, though nobody's changed", async () => {
    const carol = await localUser(a, "carol");
    const dave = await localUser(b, "dave");
    await a.app.ctx.edus.presence.setFromClient(carol, carol.userId, "online", "at lunch");
    await b.app.ctx.edus.presence.setFromClient(dave, dave.userId, "unavailable", "in the lab");
    const roomId = await a.app.ctx.rooms.service.createRoom(carol, { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(dave, roomId, undefined, [a.name]);
    await presenceSeen(b, dave, carol.userId, { presence: "online", status_msg: "at lunch" });
    await presenceSeen(a, carol, dave.userId, { presence: "unavailable", status_msg: "in the lab" });
  });

  it("refuses m.presence entries about users of another server than the origin, or users we share no room with", async () => {
    await expect(
      a.app.ctx.edus.presence.receiveEdu(b.name, { push: [{ user_id: alice.userId, presence: "online", last_active_ago: 0 }] }),
    ).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await expect(
      a.app.ctx.edus.presence.receiveEdu(b.name, { push: [{ user_id: `@stranger:${b.name}`, presence: "online", last_active_ago: 0 }] }),
    ).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    expect(await a.app.ctx.edus.presence.getFor(alice, `@stranger:${b.name}`).catch((e: { errcode: string }) => e.errcode)).toBe("M_FORBIDDEN");
  });

  it("a remote user whose server stays silent for the federation timeout is shown offline", async () => {
    await b.app.ctx.edus.presence.setFromClient(bob, bob.userId, "online", undefined);
    await presenceSeen(a, alice, bob.userId, { presence: "online" });
    clockOfA.offset += FEDERATION_TIMEOUT_MS + 1_000;
    try {
      await a.app.ctx.edus.presence.sweep();
      expect(await a.app.ctx.edus.presence.getFor(alice, bob.userId)).toMatchObject({ presence: "offline" });
    } finally {
      clockOfA.offset = 0;
    }
  });
});

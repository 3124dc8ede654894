import { describe, expect, it } from "vitest";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { createTestRoom, joinTestRoom } from "../../rooms/testing/http-rooms.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";

const V3 = "/_matrix/client/v3";
const enc = encodeURIComponent;

/**
 * The statements the pusher workers share (claimMany, advanceMany, pendingMany) give each pusher what the
 * one-pusher forms give it. The app's own pusher loop is stopped first, so that only the test claims.
 */
describe.each(testDrivers())("pushers store, several pushers per statement, on %s", (driver) => {
  const { app } = useTestApp(driver);
  let txn = 0;

  async function must(who: TestUser, method: "POST" | "PUT", url: string, payload: unknown): Promise<Record<string, unknown>> {
    const response = await app.http.inject({ method, url: `${V3}${url}`, headers: bearer(who), payload: payload as object });
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json() as Record<string, unknown>;
  }
  const send = async (who: TestUser, roomId: string, body: string) =>
    (await must(who, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/s${++txn}`, { msgtype: "m.text", body })).event_id as string;
  const setPusher = (who: TestUser) =>
    must(who, "POST", "/pushers/set", {
      kind: "http",
      app_id: "org.example.app",
      pushkey: who.localpart,
      app_display_name: "Example",
      device_display_name: "Phone",
      lang: "en",
      data: { url: "https://push.example.org/_matrix/push/v1/notify" },
    });

  async function pushersOf(users: TestUser[]) {
    const ids: number[] = [];
    for (const user of users) ids.push(...(await app.ctx.stores.pushers.forUser(user.userId)).map((p) => p.id));
    return ids;
  }

  it("pendingMany answers each (user, cursor) as pending() does, in order, with receipts and rooms apart", async () => {
    await app.ctx.pushers.loop.stop();
    const [alice, bob, carol] = await Promise.all([0, 1, 2].map(() => registerTestUser(app.http)));
    const shared = await createTestRoom(app.http, alice, { preset: "public_chat" });
    const own = await createTestRoom(app.http, bob);
    await joinTestRoom(app.http, bob, shared);
    await joinTestRoom(app.http, carol, shared);
    for (const user of [alice, bob, carol]) await setPusher(user);
    // Carol speaks first: sending marks what came before it as read for her.
    const fromCarol = await send(carol, shared, "from carol");
    const sent: string[] = [];
    for (let i = 0; i < 4; i++) sent.push(await send(alice, shared, `hello ${i}`));
    await send(bob, own, "only bob is here");
    // Carol has read up to the second message: the first two are no longer pending for her.
    await must(carol, "POST", `/rooms/${enc(shared)}/receipt/m.read/${enc(sent[1])}`, {});
    const upTo = app.ctx.streams.events.current;
    const bobsFirst = (await app.ctx.stores.pushers.pending(bob.userId, 0, upTo, 100))[0].streamPos;
    const cursors = [
      { userId: alice.userId, after: 0 },
      { userId: bob.userId, after: 0 },
      { userId: carol.userId, after: 0 },
      { userId: bob.userId, after: bobsFirst },
    ];
    const many = await app.ctx.stores.pushers.pendingMany(cursors, upTo, 100);
    const one = await Promise.all(cursors.map((c) => app.ctx.stores.pushers.pending(c.userId, c.after, upTo, 100)));
    expect(many).toEqual(one);
    // Alice's own messages are not hers, and sending them marked carol's as read; bob's own room holds only his
    // own message; carol has read two of alice's.
    expect(many[0]).toEqual([]);
    expect(many[1].map((n) => n.eventId)).toEqual([fromCarol, ...sent]);
    expect(many[2].map((n) => n.eventId)).toEqual(sent.slice(2));
    expect(many[3].map((n) => n.eventId)).toEqual(many[1].slice(1).map((n) => n.eventId));
    // The limit holds per cursor, not for the statement.
    const limited = await app.ctx.stores.pushers.pendingMany(cursors, upTo, 2);
    expect(limited.map((list) => list.length)).toEqual([0, 2, 2, 2]);
    expect(await app.ctx.stores.pushers.pendingMany([], upTo, 10)).toEqual([]);
  });

  it("claimMany takes only pushers no other live claim holds, and advanceMany moves only its owner's", async () => {
    await app.ctx.pushers.loop.stop();
    const users = await Promise.all([0, 1, 2].map(() => registerTestUser(app.http)));
    for (const user of users) await setPusher(user);
    const ids = await pushersOf(users);
    const now = Date.now() + 10 * 60_000;

    const first = await app.ctx.stores.pushers.claimMany(ids.slice(0, 2), "process-a", now, now + 1_000);
    expect([...first.keys()].sort()).toEqual(ids.slice(0, 2).sort());
    expect(first.get(ids[0])?.userId).toBe(users[0].userId);
    // b gets only the one a does not hold; a unknown id is left out.
    const second = await app.ctx.stores.pushers.claimMany([...ids, 987_654_321], "process-b", now, now + 1_000);
    expect([...second.keys()]).toEqual([ids[2]]);
    // a renews its own claims; once a's claim has run out, b takes them.
    expect([...(await app.ctx.stores.pushers.claimMany(ids.slice(0, 2), "process-a", now + 500, now + 1_500)).keys()].sort()).toEqual(ids.slice(0, 2).sort());
    expect((await app.ctx.stores.pushers.claimMany([ids[0]], "process-b", now + 1_000, now + 2_000)).size).toBe(0);
    expect([...(await app.ctx.stores.pushers.claimMany([ids[0]], "process-b", now + 1_501, now + 3_000)).keys()]).toEqual([ids[0]]);

    // ids[0] and ids[2] are b's now, ids[1] is a's.
    const moved = await app.ctx.stores.pushers.advanceMany(
      [
        { id: ids[0], pos: 40, successTs: 123 },
        { id: ids[1], pos: 41, successTs: 123 },
        { id: ids[2], pos: 42, successTs: null },
      ],
      "process-b",
    );
    expect([...moved].sort()).toEqual([ids[0], ids[2]].sort());
    expect((await app.ctx.stores.pushers.byId(ids[0]))?.lastStreamPos).toBe(40);
    expect((await app.ctx.stores.pushers.byId(ids[1]))?.lastStreamPos).not.toBe(41);
    expect((await app.ctx.stores.pushers.byId(ids[2]))?.lastStreamPos).toBe(42);
    // A cursor never moves back.
    await app.ctx.stores.pushers.advanceMany([{ id: ids[0], pos: 10, successTs: null }], "process-b");
    expect((await app.ctx.stores.pushers.byId(ids[0]))?.lastStreamPos).toBe(40);
  });
});

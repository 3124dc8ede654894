import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../homeserver/app/test-app.js";
import { newUser, startPeer, stopPeers, type Peer } from "../routes/testing/peers.js";

/** Polls until `check` holds; the sender works in the background. Bounded in time. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("condition not met in time");
}

describe.each(testDrivers())("the durable federation sender (%s)", (driver) => {
  let a: Peer;
  let b: Peer;

  beforeAll(async () => {
    a = await startPeer(driver, { federationSender: true });
    b = await startPeer(driver, { federationSender: true });
  });
  afterAll(() => stopPeers(a, b));

  it("delivers messages both ways after a remote join, in order on both servers", async () => {
    const alice = await newUser(a, "alice");
    const bob = await newUser(b, "bob");
    const roomId = await a.app.ctx.rooms.service.createRoom(alice, { preset: "public_chat" });
    await b.app.ctx.rooms.service.join(bob, roomId, undefined, [a.name]);

    const messagesOn = async (peer: Peer) => {
      const page = await peer.app.ctx.roomReads.timeline.messages(peer === a ? alice : bob, roomId, { dir: "b", limit: 100 });
      return page.chunk.filter((e) => e.type === "m.room.message").map((e) => e.event_id).reverse();
    };
    // Turn by turn, each waiting for the other's message: concurrent sends would fork the DAG, and each
    // server then orders the fork by arrival, as Synapse does too.
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      sent.push(await a.app.ctx.rooms.service.sendMessage(alice, roomId, "m.room.message", { body: `a${i}` }, `a${i}`));
      await eventually(async () => (await messagesOn(b)).length === sent.length);
      sent.push(await b.app.ctx.rooms.service.sendMessage(bob, roomId, "m.room.message", { body: `b${i}` }, `b${i}`));
      await eventually(async () => (await messagesOn(a)).length === sent.length);
    }
    expect(await messagesOn(a)).toEqual(sent);
    expect(await messagesOn(b)).toEqual(sent);
  });

  it("keeps a cursor per destination in the database", async () => {
    const rows = await a.app.ctx.db.selectFrom("federation_destinations").selectAll().execute();
    expect(rows.map((r) => r.destination)).toContain(b.name);
    expect(Number(rows.find((r) => r.destination === b.name)!.last_sent_stream_pos)).toBeGreaterThan(0);
  });
});

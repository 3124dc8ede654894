import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { testDrivers } from "../../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser } from "../../../../homeserver/users/testing/http-users.js";
import type { SyncResponse } from "../../../../schemas/client/sync/get-sync.js";
import { senderAndReaderInRoom, syncSocketUrl, TestSyncSocket } from "./testing/sync-socket-client.js";

const MAX_BUFFERED = 64 * 1024;
/** Incompressible bodies, so the kernel's socket buffers (a few MB on loopback) fill within a few hundred messages. */
const BODY_BYTES = 32 * 1024;
const MAX_SENDS = 800;

describe.each(testDrivers())("/sync over WebSocket with a slow client on %s", (driver) => {
  const room = senderAndReaderInRoom(driver);

  const filter = () => ({ room: { rooms: [room.roomId], timeline: { limit: 1000 } }, presence: { types: [] } });
  const send = async (body: string) => {
    const response = await room.app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(room.roomId)}/send/m.room.message/${randomBytes(6).toString("hex")}`,
      headers: bearer(room.sender),
      payload: { msgtype: "m.text", body },
    });
    expect(response.statusCode).toBe(200);
    return response.json().event_id as string;
  };
  const eventIds = (response: SyncResponse) => response.rooms?.join?.[room.roomId]?.timeline.events.map((e) => e.event_id!) ?? [];

  it("without acks, stops after max_unacknowledged pushes, then sends ONE response covering everything since", async () => {
    const socket = await TestSyncSocket.open(room.url, room.reader.accessToken);
    socket.send({ type: "sync", filter: filter() });
    let latest = (await socket.next("sync")).response.next_batch; // one response awaits an ack
    for (let i = 0; i < 3; i++) {
      const sent = await send(`windowed ${i}`);
      const pushed = (await socket.next("sync")).response;
      expect(eventIds(pushed)).toEqual([sent]);
      latest = pushed.next_batch;
    }
    // Four responses await an ack (the default window): the server builds nothing until one comes.
    const held: string[] = [];
    for (let i = 0; i < 7; i++) held.push(await send(`held ${i}`));
    // Acks are cumulative. Had the server pushed anything meanwhile, it would arrive before the coalesced response.
    socket.send({ type: "ack", next_batch: latest });
    const coalesced = (await socket.next("sync")).response;
    expect(eventIds(coalesced)).toEqual(held);
    expect(coalesced.rooms!.join![room.roomId].timeline.limited).toBeFalsy();
    await socket.close();
  });

  describe("when the client stops reading", () => {
    // No ack window here, so only the bytes waiting in the socket hold the server back.
    const { app: paused } = useTestApp(driver, { config: { sync: { websocket: { max_buffered_bytes: MAX_BUFFERED, max_unacknowledged: 0 } } } });
    let pausedUrl: string;
    beforeAll(async () => {
      pausedUrl = await syncSocketUrl(paused.http);
    });

    it("keeps the bytes buffered for it under the limit plus one response, and catches it up exactly once when it resumes", async () => {
      const alice = await registerTestUser(paused.http);
      const bob = await registerTestUser(paused.http);
      const room = (await paused.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(alice), payload: { preset: "public_chat" } })).json().room_id as string;
      await paused.http.inject({ method: "POST", url: `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/join`, headers: bearer(bob), payload: {} });

      // The client does not offer compression, so what the server buffers is what it built.
      const socket = await TestSyncSocket.open(pausedUrl, bob.accessToken, { perMessageDeflate: false });
      socket.send({ type: "sync", filter: { room: { rooms: [room], timeline: { limit: 1000 } }, presence: { types: [] } } });
      const initial = (await socket.next("sync")).response;
      const server = [...paused.http.websocketServer.clients].find((ws) => ws.readyState === ws.OPEN) as WebSocket;
      socket.ws.pause();

      let maxBuffered = 0;
      let samplesOverLimit = 0;
      const sample = () => {
        maxBuffered = Math.max(maxBuffered, server.bufferedAmount);
        if (server.bufferedAmount > MAX_BUFFERED) samplesOverLimit++;
      };
      const sampler = setInterval(sample, 1);
      const sent: string[] = [];
      try {
        // Until the kernel's buffers are full and the server has been held back for a while.
        while (samplesOverLimit < 50 && sent.length < MAX_SENDS) {
          const response = await paused.http.inject({
            method: "PUT",
            url: `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/send/m.room.message/slow-${sent.length}`,
            headers: bearer(alice),
            payload: { msgtype: "m.text", body: randomBytes(BODY_BYTES * 0.75).toString("base64") },
          });
          expect(response.statusCode).toBe(200);
          sent.push(response.json().event_id);
          sample();
        }
      } finally {
        clearInterval(sampler);
      }
      expect(samplesOverLimit).toBeGreaterThanOrEqual(50);

      socket.ws.resume();
      const received: string[] = [];
      let responses = 0;
      let largestResponse = 0;
      while (received.at(-1) !== sent.at(-1)) {
        const message = await socket.next("sync");
        responses++;
        largestResponse = Math.max(largestResponse, Buffer.byteLength(JSON.stringify(message)));
        received.push(...(message.response.rooms?.join?.[room]?.timeline.events.map((e) => e.event_id!) ?? []));
        expect(message.response.rooms?.join?.[room]?.timeline.limited).toBeFalsy();
      }
      expect(initial.next_batch).toBeDefined();
      // Bounded: the server only built when at most MAX_BUFFERED bytes were waiting, and then sent one response.
      expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + largestResponse);
      // Coalesced: far fewer responses than messages, each event exactly once and in order.
      expect(responses).toBeLessThan(sent.length);
      expect(received).toEqual(sent);
      await socket.close();
    }, 120_000);
  });
});

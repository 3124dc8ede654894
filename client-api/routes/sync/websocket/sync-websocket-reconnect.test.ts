import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../../homeserver/app/test-app.js";
import { bearer } from "../../../../homeserver/users/testing/http-users.js";
import type { SyncResponse } from "../../../../schemas/client/sync/get-sync.js";
import { senderAndReaderInRoom, TestSyncSocket } from "./testing/sync-socket-client.js";

const KILLS = 100;

/** A small seeded generator, so a failing run can be replayed from the seed in its name. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const SEED = Date.now() % 1_000_000;

describe.each(testDrivers())("/sync over WebSocket across dropped connections on %s", (driver) => {
  const room = senderAndReaderInRoom(driver);

  async function roomHistory(): Promise<string[]> {
    const ids: string[] = [];
    let from: string | undefined;
    for (;;) {
      const query: Record<string, string> = { dir: "b", limit: "500" };
      if (from) query.from = from;
      const page = await room.app.http.inject({ method: "GET", url: `/_matrix/client/v3/rooms/${encodeURIComponent(room.roomId)}/messages`, query, headers: bearer(room.reader) });
      const body = page.json() as { chunk: Array<{ event_id: string }>; end?: string };
      ids.push(...body.chunk.map((e) => e.event_id));
      if (!body.end || body.chunk.length === 0) return ids.reverse();
      from = body.end;
    }
  }

  it(`delivers every event exactly once, in order, through ${KILLS} kills at random points (seed ${SEED})`, async () => {
    const next = random(SEED);
    const filter = { room: { rooms: [room.roomId], timeline: { limit: 1000 } }, presence: { types: [] } };

    // The client's store: what it has acknowledged. Anything received after the last ack is lost at a kill.
    const store: string[] = [];
    let acknowledged: string | undefined;
    let limited = 0;
    // Responses received but killed before they were stored: the server must send their events again.
    let discarded = 0;
    let acks = 0;
    const storeAndAck = (socket: TestSyncSocket, response: SyncResponse) => {
      const timeline = response.rooms?.join?.[room.roomId]?.timeline;
      if (timeline?.limited) limited++;
      for (const event of timeline?.events ?? []) store.push(event.event_id!);
      acknowledged = response.next_batch;
      acks++;
      socket.send({ type: "ack", next_batch: response.next_batch });
    };

    let sending = true;
    let sent = 0;
    const sends = (async () => {
      while (sending) {
        const response = await room.app.http.inject({
          method: "PUT",
          url: `/_matrix/client/v3/rooms/${encodeURIComponent(room.roomId)}/send/m.room.message/kill-${sent}`,
          headers: bearer(room.sender),
          payload: { msgtype: "m.text", body: `message ${sent}` },
        });
        expect(response.statusCode).toBe(200);
        sent++;
      }
    })();

    for (let kill = 0; kill < KILLS; kill++) {
      const socket = await TestSyncSocket.open(room.url, room.reader.accessToken);
      socket.send({ type: "sync", since: acknowledged, filter });
      // Kill either after a random delay, or on receiving a response before storing it: both lose whatever
      // was pushed after the last ack.
      const killTimer = setTimeout(() => socket.ws.terminate(), Math.floor(next() * 150));
      const killOnArrival = next() < 0.3 ? 1 + Math.floor(next() * 3) : Number.POSITIVE_INFINITY;
      let arrivals = 0;
      socket.ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; response?: SyncResponse };
        if (message.type !== "sync" || socket.ws.readyState !== socket.ws.OPEN) return;
        if (++arrivals >= killOnArrival) {
          discarded++;
          return socket.ws.terminate();
        }
        storeAndAck(socket, message.response!);
      });
      await socket.closed;
      clearTimeout(killTimer);
    }
    sending = false;
    await sends;
    const acknowledgedDuringKills = acks;

    // A last connection that stays up until the client has caught up with everything sent.
    const history = await roomHistory();
    const last = history.at(-1)!;
    const socket = await TestSyncSocket.open(room.url, room.reader.accessToken);
    socket.send({ type: "sync", since: acknowledged, filter });
    while (store.at(-1) !== last) storeAndAck(socket, (await socket.next("sync")).response);
    await socket.close();

    expect(sent).toBeGreaterThan(KILLS / 2);
    expect(discarded).toBeGreaterThan(0);
    expect(acknowledgedDuringKills).toBeGreaterThan(KILLS / 2);
    expect(limited).toBe(0);
    expect(new Set(store).size).toBe(store.length);
    expect(store).toEqual(history);
  }, 120_000);
});

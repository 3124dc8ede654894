import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../../homeserver/app/testing/use-test-app.js";
import { bearer } from "../../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../../homeserver/rooms/testing/http-rooms.js";
import type { SyncResponse } from "../../../../schemas/client/sync/get-sync.js";
import { syncSocketUrl, TestSyncSocket } from "./testing/sync-socket-client.js";

describe.each(testDrivers())("client requests over the sync WebSocket on %s", (driver) => {
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { config: { sync: { websocket: { max_requests_in_flight: 1 } } }, users: 1 });
  let url: string;
  let roomId: string;
  beforeAll(async () => {
    url = await syncSocketUrl(app.http);
    roomId = await createTestRoom(app.http, alice);
  });

  const room = () => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  const syncing = async () => {
    const socket = await TestSyncSocket.open(url, alice.accessToken);
    socket.send({ type: "sync", filter: { room: { rooms: [roomId] } } });
    const initial = (await socket.next("sync")).response;
    socket.send({ type: "ack", next_batch: initial.next_batch });
    return socket;
  };
  const joined = (response: SyncResponse) => response.rooms?.join?.[roomId];

  it("sends a message as the connection's device and pushes it back with its transaction id", async () => {
    const socket = await syncing();
    socket.send({ type: "request", id: "r1", method: "PUT", path: `${room()}/send/m.room.message/over-the-socket`, body: { msgtype: "m.text", body: "hi" } });
    const answer = await socket.next("response");
    expect(answer).toMatchObject({ type: "response", id: "r1", status: 200 });
    const eventId = (answer.body as { event_id: string }).event_id;
    const pushed = joined((await socket.next("sync")).response)!;
    expect(pushed.timeline.events).toEqual([expect.objectContaining({ event_id: eventId, unsigned: expect.objectContaining({ transaction_id: "over-the-socket" }) })]);
    await socket.close();
  });

  it("carries receipts and typing through the same routes as HTTP, and their effects reach the stream", async () => {
    const socket = await syncing();
    const sent = await app.http.inject({ method: "PUT", url: `${room()}/send/m.room.message/for-receipt`, headers: bearer(alice), payload: { msgtype: "m.text", body: "read me" } });
    const eventId = sent.json().event_id as string;
    await socket.next("sync");
    socket.send({ type: "request", id: "typing", method: "PUT", path: `${room()}/typing/${encodeURIComponent(alice.userId)}`, body: { typing: true, timeout: 30_000 } });
    expect(await socket.next("response")).toMatchObject({ id: "typing", status: 200 });
    socket.send({ type: "request", id: "receipt", method: "POST", path: `${room()}/receipt/m.read/${encodeURIComponent(eventId)}`, body: {} });
    expect(await socket.next("response")).toMatchObject({ id: "receipt", status: 200 });
    const ephemeral: Array<{ type: string }> = [];
    while (!ephemeral.some((e) => e.type === "m.typing") || !ephemeral.some((e) => e.type === "m.receipt")) {
      const pushed = (await socket.next("sync")).response;
      ephemeral.push(...(joined(pushed)?.ephemeral?.events ?? []));
      socket.send({ type: "ack", next_batch: pushed.next_batch });
    }
    await socket.close();
  });

  it("answers with the HTTP status and Matrix error of the route", async () => {
    const socket = await syncing();
    socket.send({ type: "request", id: "bad", method: "PUT", path: `${room()}/send/m.room.message/no-body` });
    expect(await socket.next("response")).toMatchObject({ id: "bad", status: 400, body: { errcode: "M_NOT_JSON" } });
    socket.send({ type: "request", id: "nowhere", method: "GET", path: "/_matrix/client/v3/nowhere" });
    expect(await socket.next("response")).toMatchObject({ id: "nowhere", status: 404, body: { errcode: "M_UNRECOGNIZED" } });
    socket.send({ type: "request", id: "outside", method: "GET", path: "/_matrix/federation/v1/version" });
    expect(await socket.next("error")).toMatchObject({ errcode: "M_BAD_JSON", request_type: "request" });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await socket.close();
  });

  it("refuses requests beyond max_requests_in_flight with M_LIMIT_EXCEEDED", async () => {
    const socket = await syncing();
    const since = (await app.http.inject({ method: "GET", url: "/_matrix/client/v3/sync", headers: bearer(alice) })).json().next_batch as string;
    // A long-poll keeps the one allowed request busy until something happens in the room; messages are
    // handled in order, so the second request finds it in flight.
    socket.send({ type: "request", id: "poll", method: "GET", path: `/_matrix/client/v3/sync?timeout=30000&since=${encodeURIComponent(since)}` });
    socket.send({ type: "request", id: "second", method: "GET", path: "/_matrix/client/v3/account/whoami" });
    expect(await socket.next("response")).toMatchObject({ id: "second", status: 429, body: { errcode: "M_LIMIT_EXCEEDED" } });
    await app.http.inject({ method: "PUT", url: `${room()}/send/m.room.message/wake`, headers: bearer(alice), payload: { msgtype: "m.text", body: "wake" } });
    expect(await socket.next("response")).toMatchObject({ id: "poll", status: 200 });
    socket.send({ type: "request", id: "third", method: "GET", path: "/_matrix/client/v3/account/whoami" });
    expect(await socket.next("response")).toMatchObject({ id: "third", status: 200, body: { user_id: alice.userId } });
    await socket.close();
  });
});

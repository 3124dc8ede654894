import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { beforeAll, describe, expect, it } from "vitest";
import { bearer } from "../users/testing/http-users.js";
import { createTestRoom } from "../rooms/testing/http-rooms.js";
import { SYNC_WEBSOCKET_PATH } from "../../schemas/client/sync/sync-websocket.js";
import { TestSyncSocket } from "../../client-api/routes/sync/websocket/testing/sync-socket-client.js";
import { buildHttpApp } from "./http-app.js";
import { testDrivers } from "./test-app.js";
import { useTestApp } from "./testing/use-test-app.js";

// Each test closes a listener of its own over one shared homeserver: close() is the shutdown under test.
// No test measures time: on code that waits out long-polls and keep-alive sockets, close() takes over a
// minute and the test fails on vitest's timeout.

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw connection that sends a request in two parts, so that a test can start shutdown between them. */
function splitRequest(port: number, head: string): { socket: net.Socket; connected: Promise<void>; finish(rest: string): void; response: Promise<RawResponse> } {
  const socket = net.connect(port, "127.0.0.1");
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  void connected.then(() => socket.write(head));
  const response = new Promise<RawResponse>((resolve, reject) => {
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.once("error", reject);
    socket.once("close", () => {
      const [headText, ...bodyParts] = text.split("\r\n\r\n");
      const [statusLine, ...headerLines] = headText.split("\r\n");
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: bodyParts.join("\r\n\r\n") });
    });
  });
  return { socket, connected, finish: (rest) => socket.write(rest), response };
}

function get(agent: http.Agent, port: number, path: string, token: string): Promise<{ status: number; connection: string | undefined; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
      let text = "";
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, connection: response.headers.connection, body: JSON.parse(text) }));
    });
    request.once("error", reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.each(testDrivers())("shutting a listener down on %s", (driver) => {
  const {
    app,
    users: [user],
  } = useTestApp(driver, { users: 1 });
  let roomId: string;

  beforeAll(async () => {
    roomId = await createTestRoom(app.http, user);
  });

  async function listener(): Promise<{ http: FastifyInstance; port: number; requestSeen: Promise<void> }> {
    const listener = buildHttpApp(app.ctx, { resources: ["client", "federation"] });
    const requestSeen = new Promise<void>((resolve) => listener.addHook("onRequest", async () => resolve()));
    await listener.listen({ port: 0, host: "127.0.0.1" });
    return { http: listener, port: (listener.server.address() as AddressInfo).port, requestSeen };
  }

  const latestToken = async () => (await app.http.inject({ method: "GET", url: "/_matrix/client/v3/sync", headers: bearer(user) })).json().next_batch as string;

  it("answers a parked long-poll at once with a sync response whose next_batch resumes without skipping, and closes its keep-alive connection", async () => {
    const { http: server, port } = await listener();
    const since = await latestToken();
    const agent = new http.Agent({ keepAlive: true });
    const waitersBefore = app.ctx.notifier.waiterCount;
    const poll = get(agent, port, `/_matrix/client/v3/sync?timeout=60000&since=${since}`, user.accessToken);
    await until(() => app.ctx.notifier.waiterCount > waitersBefore);

    await server.close();

    const answered = await poll;
    expect(answered.status).toBe(200);
    expect(answered.connection).toBe("close");
    const nextBatch = answered.body.next_batch as string;
    expect(typeof nextBatch).toBe("string");
    // What is sent after the restart comes down from that token.
    const sent = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/after-shutdown-${driver}`,
      headers: bearer(user),
      payload: { msgtype: "m.text", body: "after the restart" },
    });
    const resumed = (await app.http.inject({ method: "GET", url: `/_matrix/client/v3/sync?since=${nextBatch}`, headers: bearer(user) })).json();
    expect(resumed.rooms.join[roomId].timeline.events.map((e: { event_id: string }) => e.event_id)).toContain(sent.json().event_id);
    agent.destroy();
  });

  it("closes sync WebSockets with 1001 (going away), the code clients reconnect on", async () => {
    const { http: server, port } = await listener();
    const socket = await TestSyncSocket.open(`ws://127.0.0.1:${port}${SYNC_WEBSOCKET_PATH}`, user.accessToken);
    socket.send({ type: "sync", since: await latestToken() });
    socket.send({ type: "ping", id: 1 });
    await socket.next("pong");

    await server.close();

    expect((await socket.closed).code).toBe(1001);
  });

  it("does not wait for a sync WebSocket client that never answers the close frame", async () => {
    const { http: server, port } = await listener();
    const request = splitRequest(
      port,
      `GET ${SYNC_WEBSOCKET_PATH} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    let received = "";
    request.socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    await until(() => received.startsWith("HTTP/1.1 101"));

    // The client reads nothing and answers nothing from here on; ws alone would wait 30 s for its close frame.
    await server.close();
    await request.response;
  }, 20_000);

  it("does not wait for idle keep-alive connections", async () => {
    const { http: server, port } = await listener();
    const agent = new http.Agent({ keepAlive: true });
    expect((await get(agent, port, "/_matrix/client/versions", user.accessToken)).status).toBe(200);

    await server.close();

    agent.destroy();
  });

  it("answers a request that arrives during shutdown with 503 and a Matrix errcode as JSON", async () => {
    const { http: server, port } = await listener();
    const request = splitRequest(port, "GET /_matrix/client/versions HTTP/1.1\r\nHost: localhost\r\n");
    await request.connected;
    const closing = server.close();
    await until(() => !server.server.listening);

    request.finish("\r\n");
    const response = await request.response;
    await closing;

    expect(response.status).toBe(503);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toMatchObject({ errcode: "M_UNKNOWN", error: expect.any(String) });
  });

  it("lets a write that is in flight when shutdown starts finish, and stores it", async () => {
    const { http: server, port, requestSeen } = await listener();
    const body = JSON.stringify({ msgtype: "m.text", body: "written during shutdown" });
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/in-flight-${driver}`;
    const half = Math.floor(body.length / 2);
    const request = splitRequest(
      port,
      `PUT ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    // In flight: its headers have been read, its body is still coming.
    await requestSeen;
    const closing = server.close();
    await until(() => !server.server.listening);

    request.finish(body.slice(half));
    const response = await request.response;
    await closing;

    expect(response.status).toBe(200);
    const eventId = JSON.parse(response.body).event_id as string;
    const stored = await app.http.inject({ method: "GET", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`, headers: bearer(user) });
    expect(stored.json().content.body).toBe("written during shutdown");
  });
});

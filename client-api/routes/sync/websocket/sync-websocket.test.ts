import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../../homeserver/users/testing/http-users.js";
import { createTestRoom } from "../../../../homeserver/rooms/testing/http-rooms.js";
import { specErrors } from "../../../../homeserver/sync/testing/spec-schemas.js";
import { SYNC_WEBSOCKET_PATH, SYNC_WEBSOCKET_SUBPROTOCOL } from "../../../../schemas/client/sync/sync-websocket.js";
import { refusedUpgrade, syncSocketUrl, TestSyncSocket } from "./testing/sync-socket-client.js";

const SYNC = "/_matrix/client/v3/sync";

describe.each(testDrivers())("/sync over WebSocket on %s", (driver) => {
  // A low compression threshold so that this test's small responses exercise permessage-deflate.
  const {
    app,
    users: [alice],
  } = useTestApp(driver, { config: { sync: { websocket: { heartbeat_interval_ms: 100, compression: { threshold_bytes: 1024 } } } }, users: 1 });
  let url: string;
  let roomId: string;
  beforeAll(async () => {
    url = await syncSocketUrl(app.http);
    roomId = await createTestRoom(app.http, alice, { name: "Socket room" });
  });

  const send = async (body: string, who: TestUser = alice) => {
    const response = await app.http.inject({
      method: "PUT",
      url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/txn-${Math.random()}`,
      headers: bearer(who),
      payload: { msgtype: "m.text", body },
    });
    expect(response.statusCode).toBe(200);
    return response.json().event_id as string;
  };
  const timelineOf = (message: { response: { rooms?: { join?: Record<string, { timeline: { events: Array<{ event_id?: string }> } }> } } }) =>
    message.response.rooms?.join?.[roomId]?.timeline.events.map((e) => e.event_id) ?? [];

  describe("authentication on upgrade", () => {
    it("refuses an upgrade without an access token with the HTTP 401 M_MISSING_TOKEN", async () => {
      const refused = await refusedUpgrade(url);
      expect(refused).toMatchObject({ status: 401, body: { errcode: "M_MISSING_TOKEN" } });
    });

    it("refuses an unknown access token with the HTTP 401 M_UNKNOWN_TOKEN before the upgrade", async () => {
      expect(await refusedUpgrade(url, { authorization: "Bearer not-a-token" })).toMatchObject({ status: 401, body: { errcode: "M_UNKNOWN_TOKEN" } });
      expect(await refusedUpgrade(`${url}?access_token=not-a-token`)).toMatchObject({ status: 401, body: { errcode: "M_UNKNOWN_TOKEN" } });
    });

    it("accepts the token in the access_token query parameter, for browsers that cannot set headers", async () => {
      const socket = await TestSyncSocket.open(url, alice.accessToken, { tokenInQuery: true });
      socket.send({ type: "sync" });
      expect((await socket.next("sync")).response.next_batch).toMatch(/^s/);
      await socket.close();
    });

    it("answers a plain GET without an upgrade with 426", async () => {
      const response = await app.http.inject({ method: "GET", url: SYNC_WEBSOCKET_PATH, headers: bearer(alice) });
      expect(response.statusCode).toBe(426);
      expect(response.json().errcode).toBe("M_UNRECOGNIZED");
    });
  });

  describe("the first message", () => {
    const firstMessageFails = async (message: unknown) => {
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send(message);
      const error = await socket.next("error");
      const closed = await socket.closed;
      return { error, closed };
    };

    it("must be JSON: M_NOT_JSON, then close 4400", async () => {
      const { error, closed } = await firstMessageFails("{not json");
      expect(error).toMatchObject({ errcode: "M_NOT_JSON", fatal: true });
      expect(closed.code).toBe(4400);
    });

    it("must be a sync message of the right shape: M_BAD_JSON, then close 4400", async () => {
      expect((await firstMessageFails({ type: "ack", next_batch: "s1" })).error.errcode).toBe("M_BAD_JSON");
      expect((await firstMessageFails({ type: "sync", set_presence: "dancing" })).error.errcode).toBe("M_BAD_JSON");
      expect((await firstMessageFails({ type: "sync", since: 12 })).error.errcode).toBe("M_BAD_JSON");
      expect((await firstMessageFails([1, 2])).error.errcode).toBe("M_BAD_JSON");
      const unknownType = await firstMessageFails({ type: "subscribe" });
      expect(unknownType.error.errcode).toBe("M_UNRECOGNIZED");
      expect(unknownType.closed.code).toBe(4400);
    });

    it("gets the errcode /sync would give for a bad filter or since token", async () => {
      const badFilter = await firstMessageFails({ type: "sync", filter: { room: { timeline: { limit: "ten" } } } });
      expect(badFilter.error).toMatchObject({ errcode: "M_BAD_JSON", request_type: "sync" });
      expect(badFilter.closed.code).toBe(4400);
      expect((await firstMessageFails({ type: "sync", filter: "{oops" })).error.errcode).toBe("M_NOT_JSON");
      expect((await firstMessageFails({ type: "sync", filter: "12345" })).error.errcode).toBe("M_INVALID_PARAM");
      expect((await firstMessageFails({ type: "sync", since: "not-a-token" })).error.errcode).toBe("M_INVALID_PARAM");
    });
  });

  describe("the stream", () => {
    it("pushes the initial sync, then each new message as soon as it is sent, as spec-conformant /sync responses", async () => {
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send({ type: "sync", filter: { room: { timeline: { limit: 5 } } }, set_presence: "online" });
      const initial = await socket.next("sync");
      expect(specErrors(SYNC, "GET", 200, initial.response)).toEqual([]);
      expect(initial.response.rooms?.join?.[roomId]).toBeDefined();
      socket.send({ type: "ack", next_batch: initial.response.next_batch });

      const sent = await send("pushed");
      const pushed = await socket.next("sync");
      expect(specErrors(SYNC, "GET", 200, pushed.response)).toEqual([]);
      expect(timelineOf(pushed)).toEqual([sent]);
      expect(pushed.response.next_batch).not.toBe(initial.response.next_batch);
      socket.send({ type: "ack", next_batch: pushed.response.next_batch });

      const second = await send("pushed again");
      expect(timelineOf(await socket.next("sync"))).toEqual([second]);
      expect(socket.pending().filter((m) => m.type === "error")).toEqual([]);
      await socket.close();
    });

    it("resumes from a since token and accepts a stored filter id", async () => {
      const defined = await app.http.inject({
        method: "POST",
        url: `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/filter`,
        headers: bearer(alice),
        payload: { room: { timeline: { limit: 50 } } },
      });
      const since = (await app.http.inject({ method: "GET", url: SYNC, headers: bearer(alice) })).json().next_batch as string;
      const missed = [await send("missed one"), await send("missed two")];
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send({ type: "sync", since, filter: defined.json().filter_id });
      const caughtUp = await socket.next("sync");
      expect(specErrors(SYNC, "GET", 200, caughtUp.response)).toEqual([]);
      expect(timelineOf(caughtUp)).toEqual(missed);
      await socket.close();
    });

    it("sends full state when asked, with use_state_after", async () => {
      const since = (await app.http.inject({ method: "GET", url: SYNC, headers: bearer(alice) })).json().next_batch as string;
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send({ type: "sync", since, full_state: true, use_state_after: true });
      const full = await socket.next("sync");
      expect(specErrors(SYNC, "GET", 200, full.response)).toEqual([]);
      expect(full.response.rooms!.join![roomId].state_after!.events.some((e) => e.type === "m.room.name")).toBe(true);
      await socket.close();
    });

    it("takes an ack of a pushed token silently and answers an ack of an unknown one with M_INVALID_PARAM, staying open", async () => {
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send({ type: "sync" });
      const initial = await socket.next("sync");
      socket.send({ type: "ack", next_batch: initial.response.next_batch });
      socket.send({ type: "ack", next_batch: "s999999_0" });
      expect(await socket.next("error")).toMatchObject({ errcode: "M_INVALID_PARAM", request_type: "ack" });
      socket.send({ type: "ping", id: 7 });
      expect(await socket.next("pong")).toEqual({ type: "pong", id: 7 });
      expect(socket.pending().filter((m) => m.type === "error")).toEqual([]);
      await socket.close();
    });

    it("refuses a second sync message and a malformed later message without closing the stream", async () => {
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send({ type: "sync" });
      await socket.next("sync");
      socket.send({ type: "sync" });
      expect(await socket.next("error")).toMatchObject({ errcode: "M_BAD_JSON", request_type: "sync" });
      socket.send("[");
      expect(await socket.next("error")).toMatchObject({ errcode: "M_NOT_JSON" });
      const sent = await send("still streaming");
      expect(timelineOf(await socket.next("sync"))).toEqual([sent]);
      await socket.close();
    });

    it("ends the stream with M_UNKNOWN_TOKEN and close 4401 once the device logs out", async () => {
      const bob = await registerTestUser(app.http);
      await app.http.inject({ method: "POST", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, headers: bearer(alice), payload: { user_id: bob.userId } });
      await app.http.inject({ method: "POST", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/join`, headers: bearer(bob), payload: {} });
      const socket = await TestSyncSocket.open(url, bob.accessToken);
      socket.send({ type: "sync" });
      await socket.next("sync");
      expect((await app.http.inject({ method: "POST", url: "/_matrix/client/v3/logout", headers: bearer(bob), payload: {} })).statusCode).toBe(200);
      await send("after the logout");
      expect(await socket.next("error")).toMatchObject({ errcode: "M_UNKNOWN_TOKEN", fatal: true });
      expect((await socket.closed).code).toBe(4401);
    });
  });

  describe("heartbeats and negotiation", () => {
    it("pings the client at the configured interval and answers the client's own ping", async () => {
      const socket = await TestSyncSocket.open(url, alice.accessToken);
      socket.send({ type: "sync" });
      await socket.next("sync");
      await new Promise<void>((resolve) => socket.ws.once("ping", () => resolve()));
      await new Promise<void>((resolve) => socket.ws.once("ping", () => resolve()));
      socket.send({ type: "ping" });
      expect(await socket.next("pong")).toEqual({ type: "pong" });
      expect(socket.ws.readyState).toBe(socket.ws.OPEN);
      await socket.close();
    });

    it("drops a connection that stops answering pings", async () => {
      const socket = await TestSyncSocket.open(url, alice.accessToken, { autoPong: false });
      socket.send({ type: "sync" });
      await socket.next("sync");
      // Terminated without a close frame: the client sees an abnormal closure.
      expect((await socket.closed).code).toBe(1006);
    });

    it("compresses large responses yet keeps no zlib state on an idle connection", async () => {
      // threshold 0: the client compresses even its small messages, so the server inflates them.
      const socket = await TestSyncSocket.open(url, alice.accessToken, { perMessageDeflate: { threshold: 0 } });
      expect(socket.extensionsHeader).toMatch(/server_no_context_takeover/);
      expect(socket.extensionsHeader).toMatch(/client_no_context_takeover/);
      socket.send({ type: "sync" });
      const initial = await socket.next("sync");
      expect(socket.frameSizes[0]).toBeGreaterThan(1024);
      socket.send({ type: "ping", id: "after" });
      await socket.next("pong");
      const server = [...app.http.websocketServer.clients].find((ws) => ws.protocol === "" && ws.readyState === ws.OPEN && zlibOf(ws).params?.client_no_context_takeover);
      expect(server).toBeDefined();
      expect(zlibOf(server!)).toMatchObject({ _deflate: null, _inflate: null });
      // The next compressed messages each way get fresh streams.
      socket.send({ type: "ack", next_batch: initial.response.next_batch });
      const sent = await send("x".repeat(2000));
      expect(timelineOf(await socket.next("sync"))).toEqual([sent]);
      await socket.close();
    });

    it("negotiates the subprotocol when offered and permessage-deflate with a small server window", async () => {
      const plain = await TestSyncSocket.open(url, alice.accessToken);
      expect(plain.ws.protocol).toBe("");
      await plain.close();
      const socket = await TestSyncSocket.open(url, alice.accessToken, { protocols: [SYNC_WEBSOCKET_SUBPROTOCOL, "other"] });
      expect(socket.ws.protocol).toBe(SYNC_WEBSOCKET_SUBPROTOCOL);
      expect(socket.extensionsHeader).toMatch(/^permessage-deflate;.*server_max_window_bits=10/);
      expect(socket.extensionsHeader).toMatch(/client_max_window_bits=10/);
      await socket.close();
      // A client that cannot shrink its own window is served uncompressed rather than refused.
      const unbounded = await TestSyncSocket.open(url, alice.accessToken, { perMessageDeflate: false, headers: { authorization: `Bearer ${alice.accessToken}`, "sec-websocket-extensions": "permessage-deflate" } });
      expect(unbounded.extensionsHeader).toBeUndefined();
      unbounded.send({ type: "sync" });
      expect((await unbounded.next("sync")).response.next_batch).toMatch(/^s/);
      await unbounded.close();
      await expect(TestSyncSocket.open(url, alice.accessToken, { protocols: ["chat"] })).rejects.toThrow(/subprotocol/i);
    });
  });
});

/** ws's permessage-deflate state on the server's end of a socket (an internal of ws, read to check it is released). */
function zlibOf(socket: object): { params?: Record<string, unknown>; _deflate?: unknown; _inflate?: unknown } {
  return ((socket as { _extensions?: Record<string, unknown> })._extensions?.["permessage-deflate"] ?? {}) as never;
}

import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { beforeAll } from "vitest";
import { WebSocket, type ClientOptions } from "ws";
import type { DriverName, TestApp } from "../../../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../../../homeserver/app/testing/use-test-app.js";
import type { TestUser } from "../../../../../homeserver/users/testing/http-users.js";
import { createTestRoom, joinTestRoom } from "../../../../../homeserver/rooms/testing/http-rooms.js";
import { SYNC_WEBSOCKET_PATH, type SyncWsServerMessage } from "../../../../../schemas/client/sync/sync-websocket.js";

/** Listens on an ephemeral loopback port (once per app) and returns the sync socket's ws:// URL. */
export async function syncSocketUrl(http: FastifyInstance): Promise<string> {
  if (!http.server.listening) await http.listen({ port: 0, host: "127.0.0.1" });
  const { port } = http.server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}${SYNC_WEBSOCKET_PATH}`;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A test client for the sync socket: messages are queued so a test can await them in order. */
export class TestSyncSocket {
  private readonly received: SyncWsServerMessage[] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<Closed>;
  /** Sizes of the text frames received, after decompression. */
  readonly frameSizes: number[] = [];
  /** The server's Sec-WebSocket-Extensions answer. */
  extensionsHeader: string | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = String(data);
      this.frameSizes.push(Buffer.byteLength(text));
      this.received.push(JSON.parse(text) as SyncWsServerMessage);
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
    void this.closed.then(() => this.waiter?.());
  }

  static open(url: string, token: string | undefined, options: ClientOptions & { tokenInQuery?: boolean; protocols?: string[] } = {}): Promise<TestSyncSocket> {
    const { tokenInQuery, protocols, ...clientOptions } = options;
    const target = tokenInQuery && token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
    const headers = token && !tokenInQuery ? { authorization: `Bearer ${token}` } : undefined;
    const ws = new WebSocket(target, protocols ?? [], { ...clientOptions, headers: { ...headers, ...clientOptions.headers } });
    const socket = new TestSyncSocket(ws);
    ws.once("upgrade", (response) => (socket.extensionsHeader = response.headers["sec-websocket-extensions"]));
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("error", reject);
      ws.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next message (of `type`, skipping others when given); fails after `timeoutMs` or when the socket closes first. */
  async next<T extends SyncWsServerMessage["type"]>(type?: T, timeoutMs = 15_000): Promise<Extract<SyncWsServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((m) => type === undefined || m.type === type);
      if (index >= 0) return this.received.splice(index, 1)[0] as Extract<SyncWsServerMessage, { type: T }>;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type ?? "a message"}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no ${type ?? "message"} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  /** Messages received and not yet taken by `next`. */
  pending(): SyncWsServerMessage[] {
    return [...this.received];
  }

  close(): Promise<Closed> {
    this.ws.close();
    return this.closed;
  }
}

/** An upgrade the server refuses: its HTTP status and JSON body. */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("the upgrade was accepted"));
    });
    ws.once("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => {
        ws.terminate();
        resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    ws.once("error", (error) => reject(error));
  });
}

/**
 * The usual setting of a sync-socket test: an app on `driver`, its socket URL, and a sender and a reader who
 * share a public room. Registers its own hooks (the app through useTestApp); read the fields inside tests.
 */
export function senderAndReaderInRoom(driver: DriverName): { app: TestApp; url: string; sender: TestUser; reader: TestUser; roomId: string } {
  const {
    app,
    users: [sender, reader],
  } = useTestApp(driver, { users: 2 });
  const room = { app, sender, reader } as { app: TestApp; url: string; sender: TestUser; reader: TestUser; roomId: string };
  beforeAll(async () => {
    room.url = await syncSocketUrl(room.app.http);
    room.roomId = await createTestRoom(room.app.http, room.sender, { preset: "public_chat" });
    await joinTestRoom(room.app.http, room.reader, room.roomId);
  });
  return room;
}

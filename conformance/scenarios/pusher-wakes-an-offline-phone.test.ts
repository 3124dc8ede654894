import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MsgType, Preset } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMatrixClient } from "../support/matrix-client.js";
import { registerUsers } from "../support/register-user.js";

/** A notification as the Push Gateway API carries it (only the fields this scenario reads). */
interface GatewayNotification {
  event_id?: string;
  room_id?: string;
  type?: string;
  sender?: string;
  counts?: { unread?: number };
  devices?: Array<{ app_id: string; pushkey: string }>;
}

/** A push gateway on loopback that keeps every notification it is sent and accepts every pushkey. */
async function startGatewayStub(): Promise<{ url: string; received: GatewayNotification[]; close(): Promise<void> }> {
  const received: GatewayNotification[] = [];
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      if (request.method === "POST" && request.url === "/_matrix/push/v1/notify") {
        received.push((JSON.parse(body) as { notification: GatewayNotification }).notification);
      }
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ rejected: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/_matrix/push/v1/notify`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("an HTTP pusher, as a phone's app sets it", () => {
  let gateway: Awaited<ReturnType<typeof startGatewayStub>>;
  beforeAll(async () => {
    gateway = await startGatewayStub();
  });
  afterAll(() => gateway.close());

  it("a message wakes the offline phone through the push gateway, with the event and the badge, and reading it clears the badge", async () => {
    const [alice, bob] = await registerUsers(2, "pusher");
    // Alice's phone is in the background: it set its pusher and does not sync.
    const phone = createMatrixClient(alice);
    const bobClient = createMatrixClient(bob);
    const pushkey = `pk-${alice.deviceId}`;
    await phone.setPusher({
      kind: "http",
      app_id: "org.example.conformance.phone",
      pushkey,
      app_display_name: "Conformance",
      device_display_name: "Alice's phone",
      lang: "en",
      data: { url: gateway.url },
      append: false,
    });
    const { pushers } = await phone.getPushers();
    expect(pushers?.map((p) => ({ pushkey: p.pushkey, kind: p.kind, url: p.data.url }))).toEqual([{ pushkey, kind: "http", url: gateway.url }]);

    const { room_id: roomId } = await bobClient.createRoom({ preset: Preset.PrivateChat, name: "push", invite: [alice.userId] });
    await phone.joinRoom(roomId);
    const { event_id: eventId } = await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: "are you there?" });

    const woken = await eventually("the gateway to be told of bob's message", () => gateway.received.find((n) => n.event_id === eventId));
    expect(woken).toMatchObject({ room_id: roomId, type: "m.room.message", sender: bob.userId, counts: { unread: 1 } });
    expect(woken.devices).toEqual([expect.objectContaining({ app_id: "org.example.conformance.phone", pushkey })]);

    // Alice reads it (a read receipt through /read_markers, as Element sends it): the phone's badge is cleared by a
    // notification without an event.
    await phone.setRoomReadMarkersHttpRequest(roomId, eventId, eventId);
    await eventually("a badge update clearing the count", () => gateway.received.find((n) => !n.event_id && n.counts?.unread === 0));
  });
});

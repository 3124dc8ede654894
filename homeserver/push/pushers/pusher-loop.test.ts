import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { testDrivers } from "../../app/test-app.js";
import { useTestApp } from "../../app/testing/use-test-app.js";
import { eventually, LOOPBACK_FEDERATION } from "../../app/testing/loopback-server.js";
import { restartableServer } from "../../app/testing/restartable-server.js";
import { bearer, registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import { GatewayStub } from "./testing/gateway-stub.js";

const V3 = "/_matrix/client/v3";
let txn = 0;

async function call(http: FastifyInstance, who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: unknown): Promise<Record<string, unknown>> {
  const response = await http.inject({ method, url: `${V3}${url}`, headers: bearer(who), payload: payload as object | undefined });
  if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as Record<string, unknown>;
}

const createRoom = async (http: FastifyInstance, who: TestUser, body: Record<string, unknown> = {}) =>
  (await call(http, who, "POST", "/createRoom", { preset: "public_chat", ...body })).room_id as string;
const join = (http: FastifyInstance, who: TestUser, roomId: string) => call(http, who, "POST", `/join/${encodeURIComponent(roomId)}`, {});
const send = async (http: FastifyInstance, who: TestUser, roomId: string, content: Record<string, unknown>, type = "m.room.message") =>
  (await call(http, who, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/${type}/t${++txn}`, content)).event_id as string;
const setPusher = (http: FastifyInstance, who: TestUser, gateway: GatewayStub, pushkey: string, data: Record<string, unknown> = {}) =>
  call(http, who, "POST", "/pushers/set", {
    kind: "http",
    app_id: "org.example.app",
    pushkey,
    app_display_name: "Example",
    device_display_name: "Phone",
    lang: "en",
    data: { url: gateway.url, ...data },
  });
const text = (body: string) => ({ msgtype: "m.text", body });
/** Lets pushers that would (wrongly) send more do so before a test checks that they did not. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe.each(testDrivers())("the pusher loop on %s", (driver) => {
  let gateway: GatewayStub;
  // The gateway's hooks come first: it starts before the app and stops after the app is disposed of.
  beforeAll(async () => {
    gateway = new GatewayStub();
    await gateway.start();
  });
  afterAll(() => gateway.stop());
  const { app } = useTestApp(driver, { config: { federation: LOOPBACK_FEDERATION, push: { pushers: { retry_initial_ms: 20, retry_max_ms: 200 } } } });

  /** A room of `members` more users besides the sender, each with a pusher of pushkey `<localpart>`. */
  async function roomWithPushers(members: number, data: Record<string, unknown> = {}, roomBody: Record<string, unknown> = {}) {
    const sender = await registerTestUser(app.http);
    await setPusher(app.http, sender, gateway, sender.localpart, data);
    const roomId = await createRoom(app.http, sender, roomBody);
    const others: TestUser[] = [];
    for (let i = 0; i < members; i++) {
      const member = await registerTestUser(app.http);
      await join(app.http, member, roomId);
      await setPusher(app.http, member, gateway, member.localpart, data);
      others.push(member);
    }
    return { sender, roomId, others };
  }

  it("a message notifies each other member's pusher once, with the Push Gateway API's body", async () => {
    const { sender, roomId, others } = await roomWithPushers(2, { custom: "kept" }, { name: "The Room" });
    const eventId = await send(app.http, sender, roomId, text("hello"));
    for (const member of others) await eventually(async () => (gateway.deliveredTo(member.localpart).length > 0 ? true : undefined), "notification");
    await settle();
    for (const member of others) {
      const notifications = gateway.deliveredTo(member.localpart);
      expect(notifications).toHaveLength(1);
      const [notification] = notifications;
      expect(notification).toEqual({
        event_id: eventId,
        room_id: roomId,
        type: "m.room.message",
        sender: sender.userId,
        sender_display_name: sender.localpart,
        room_name: "The Room",
        prio: "low",
        content: text("hello"),
        counts: { unread: 1 },
        devices: [{ app_id: "org.example.app", pushkey: member.localpart, pushkey_ts: expect.any(Number), data: { custom: "kept" } }],
      });
      expect(Math.abs((notification.devices[0].pushkey_ts as number) - Date.now() / 1000)).toBeLessThan(3600);
    }
    expect(gateway.deliveredTo(sender.localpart)).toEqual([]);
    expect(gateway.requests.every((r) => r.path === "/_matrix/push/v1/notify")).toBe(true);
  });

  it("event_id_only sends the event's id and room, the badge and the priority, nothing more", async () => {
    const { sender, roomId, others } = await roomWithPushers(2, { format: "event_id_only" });
    const eventId = await send(app.http, sender, roomId, text("secret-ish"));
    const [member] = others;
    const [notification] = await eventually(async () => (gateway.deliveredTo(member.localpart).length > 0 ? gateway.deliveredTo(member.localpart) : undefined), "notification");
    expect(notification).toEqual({
      event_id: eventId,
      room_id: roomId,
      prio: "low",
      counts: { unread: 1 },
      devices: [{ app_id: "org.example.app", pushkey: member.localpart, pushkey_ts: expect.any(Number), data: { format: "event_id_only" } }],
    });
  });

  it("an encrypted event goes with its type and no content, at high priority", async () => {
    const { sender, roomId, others } = await roomWithPushers(2);
    const eventId = await send(app.http, sender, roomId, { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEnAC", sender_key: "k", device_id: "D", session_id: "s" }, "m.room.encrypted");
    const [member] = others;
    const [notification] = await eventually(async () => (gateway.deliveredTo(member.localpart).length > 0 ? gateway.deliveredTo(member.localpart) : undefined), "notification");
    expect(notification).toMatchObject({ event_id: eventId, type: "m.room.encrypted", prio: "high" });
    expect(notification).not.toHaveProperty("content");
  });

  it("a mention gives the highlight and sound tweaks and high priority", async () => {
    const { sender, roomId, others } = await roomWithPushers(2);
    const [mentioned, other] = others;
    await send(app.http, sender, roomId, { ...text(`hi ${mentioned.localpart}`), "m.mentions": { user_ids: [mentioned.userId] } });
    const [notification] = await eventually(async () => (gateway.deliveredTo(mentioned.localpart).length > 0 ? gateway.deliveredTo(mentioned.localpart) : undefined), "notification");
    expect(notification.prio).toBe("high");
    expect(notification.devices[0].tweaks).toEqual({ highlight: true, sound: "default" });
    const [plain] = await eventually(async () => (gateway.deliveredTo(other.localpart).length > 0 ? gateway.deliveredTo(other.localpart) : undefined), "notification");
    expect(plain.devices[0]).not.toHaveProperty("tweaks");
  });

  it("while the gateway fails nothing is lost: once it answers, every notification arrives in order, none twice", async () => {
    const { sender, roomId, others } = await roomWithPushers(1);
    const [member] = others;
    gateway.failWith = 503;
    const sent: string[] = [];
    try {
      for (let i = 0; i < 5; i++) sent.push(await send(app.http, sender, roomId, text(`m${i}`)));
      await eventually(async () => (gateway.requests.some((r) => r.status === 503 && r.body.notification.devices[0].pushkey === member.localpart) ? true : undefined), "a failed try");
    } finally {
      gateway.failWith = undefined;
    }
    await eventually(async () => (gateway.deliveredTo(member.localpart).length >= 5 ? true : undefined), "all five");
    await settle();
    expect(gateway.deliveredTo(member.localpart).map((n) => n.event_id)).toEqual(sent);
    const row = (await app.ctx.stores.pushers.forUser(member.userId))[0];
    expect(row.failingSince).toBeNull();
  });

  it("a pushkey the gateway rejects loses its pusher", async () => {
    const { sender, roomId, others } = await roomWithPushers(1);
    const [member] = others;
    gateway.rejected.add(member.localpart);
    await send(app.http, sender, roomId, text("to a stale key"));
    await eventually(async () => ((await app.ctx.stores.pushers.forUser(member.userId)).length === 0 ? true : undefined), "pusher removed");
    await send(app.http, sender, roomId, text("after"));
    await settle();
    expect(gateway.deliveredTo(member.localpart)).toHaveLength(1);
  });

  it("a read receipt sends the new badge, counts only", async () => {
    const { sender, roomId, others } = await roomWithPushers(1);
    const [member] = others;
    const eventId = await send(app.http, sender, roomId, text("read me"));
    await eventually(async () => (gateway.deliveredTo(member.localpart).length > 0 ? true : undefined), "notification");
    await call(app.http, member, "POST", `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(eventId)}`, {});
    const badge = await eventually(async () => gateway.deliveredTo(member.localpart)[1], "badge update");
    expect(badge).toEqual({ counts: { unread: 0 }, devices: [{ app_id: "org.example.app", pushkey: member.localpart, pushkey_ts: expect.any(Number), data: {} }] });
  });

  it("a call invite carries the missed call in its counts, and reading it clears them", async () => {
    const { sender, roomId, others } = await roomWithPushers(1);
    const [member] = others;
    const eventId = await send(app.http, sender, roomId, { call_id: "call-1", lifetime: 60_000, offer: { type: "offer", sdp: "v=0" }, version: 1, party_id: "p" }, "m.call.invite");
    const rung = await eventually(async () => gateway.deliveredTo(member.localpart)[0], "call notification");
    expect(rung).toMatchObject({ event_id: eventId, type: "m.call.invite", prio: "high", counts: { unread: 1, missed_calls: 1 } });
    await call(app.http, member, "POST", `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(eventId)}`, {});
    const badge = await eventually(async () => gateway.deliveredTo(member.localpart)[1], "badge update");
    // Zero counts are left out, as the Push Gateway API asks; unread stays, as Synapse sends it.
    expect(badge).toMatchObject({ counts: { unread: 0 } });
    expect(badge.counts).not.toHaveProperty("missed_calls");
  });

  it("a notification already read by the time its pusher gets to it is not sent", async () => {
    const { sender, roomId, others } = await roomWithPushers(1);
    const [member] = others;
    gateway.failWith = 503;
    let last: string;
    try {
      await send(app.http, sender, roomId, text("one"));
      last = await send(app.http, sender, roomId, text("two"));
      await eventually(async () => (gateway.requests.some((r) => r.status === 503 && r.body.notification.devices[0].pushkey === member.localpart) ? true : undefined), "a failed try");
      await call(app.http, member, "POST", `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(last)}`, {});
    } finally {
      gateway.failWith = undefined;
    }
    const marker = await send(app.http, sender, roomId, text("three"));
    await eventually(async () => (gateway.deliveredTo(member.localpart).some((n) => n.event_id === marker) ? true : undefined), "the third");
    // "one" may have been on its way to the gateway when the receipt came; "two" was read before it was sent.
    const delivered = gateway.deliveredTo(member.localpart).filter((n) => n.event_id !== undefined).map((n) => n.event_id);
    expect(delivered).not.toContain(last);
    expect(delivered[delivered.length - 1]).toBe(marker);
  });
});

describe.each(testDrivers())("pushers across a restart on %s", (driver) => {
  it("200 notifications queued while the gateway is down and the server restarts all arrive after, in order, none twice", async () => {
    const gateway = new GatewayStub();
    await gateway.start();
    await gateway.stop();
    const server = await restartableServer(driver);
    try {
      const { http } = await server.start();
      const sender = await registerTestUser(http);
      const member = await registerTestUser(http);
      const roomId = await createRoom(http, sender);
      await join(http, member, roomId);
      await setPusher(http, member, gateway, "restart-key");
      const sent: string[] = [];
      for (let i = 0; i < 200; i++) sent.push(await send(http, sender, roomId, text(`queued ${i}`)));
      await eventually(async () => ((await server.running.ctx.stores.pushers.forUser(member.userId))[0].failingSince !== null ? true : undefined), "the pusher failing");
      await server.stop();
      await gateway.start();
      await server.start();
      await eventually(async () => (gateway.deliveredTo("restart-key").length >= 200 ? true : undefined), "all 200", 60_000);
      await settle();
      expect(gateway.deliveredTo("restart-key").map((n) => n.event_id)).toEqual(sent);
    } finally {
      await server.dispose();
      await gateway.stop();
    }
  }, 120_000);
});

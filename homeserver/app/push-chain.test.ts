import { describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { testDrivers } from "./test-app.js";
import { useTestApp } from "./testing/use-test-app.js";
import { eventually, LOOPBACK_FEDERATION } from "./testing/loopback-server.js";
import { bearer, registerTestUser, type TestUser } from "../users/testing/http-users.js";
import {
  APNS_APP,
  FCM_APP,
  useTestPushGateway,
  WEBPUSH_APP,
} from "../push-gateway/testing/test-gateway.js";

/**
 * The whole chain, as a deployment runs it: Myelin's pushers -> Myelin's Push Gateway -> local stand-ins for a
 * browser's push service (which decrypts the payload with the subscription's private key), FCM and APNs.
 */

const V3 = "/_matrix/client/v3";
let txn = 0;

async function call(http: FastifyInstance, who: TestUser, method: "GET" | "POST" | "PUT", url: string, payload?: unknown): Promise<Record<string, unknown>> {
  const response = await http.inject({ method, url: `${V3}${url}`, headers: bearer(who), payload: payload as object | undefined });
  if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as Record<string, unknown>;
}

const setPusher = (http: FastifyInstance, who: TestUser, appId: string, pushkey: string, data: Record<string, unknown>) =>
  call(http, who, "POST", "/pushers/set", { kind: "http", app_id: appId, pushkey, app_display_name: "Example", device_display_name: "Device", lang: "en", data });

const pushkeysOf = async (http: FastifyInstance, who: TestUser) =>
  ((await call(http, who, "GET", "/pushers")).pushers as Array<{ pushkey: string }>).map((p) => p.pushkey).sort();

describe.each(testDrivers())("Myelin -> Myelin's Push Gateway -> WebPush, FCM and APNs (%s)", (driver) => {
  // Before the app's hooks: the services start before it and stop after it is disposed of.
  const { credentials, services, gateway } = useTestPushGateway();
  // The pushers reach the gateway on 127.0.0.1: the test opens loopback as LOOPBACK_FEDERATION does.
  const { app } = useTestApp(driver, { config: { federation: LOOPBACK_FEDERATION } });

  it("a message reaches the recipient's browser (decrypted), Android app and iPhone with its event id", async () => {
    const alice = await registerTestUser(app.http);
    const bob = await registerTestUser(app.http);
    const roomId = (await call(app.http, alice, "POST", "/createRoom", { preset: "public_chat", name: "Chain" })).room_id as string;
    await call(app.http, bob, "POST", `/join/${encodeURIComponent(roomId)}`, {});

    const subscription = services.webPush.subscribe();
    const apnsToken = Buffer.alloc(32, 0xab);
    await setPusher(app.http, bob, WEBPUSH_APP, subscription.p256dh, { url: gateway.notifyUrl, endpoint: subscription.endpoint, auth: subscription.auth });
    await setPusher(app.http, bob, FCM_APP, "fcm-registration-token-bob", { url: gateway.notifyUrl });
    await setPusher(app.http, bob, APNS_APP, apnsToken.toString("base64"), { url: gateway.notifyUrl, format: "event_id_only" });

    const eventId = (await call(app.http, alice, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${++txn}`, { msgtype: "m.text", body: "wake up" })).event_id as string;

    const browser = await eventually(async () => services.webPush.pushesFor(subscription.id).find((p) => p.payload.event_id === eventId), "the WebPush message");
    expect(browser.payload).toMatchObject({ event_id: eventId, room_id: roomId, type: "m.room.message", sender: alice.userId, content: { body: "wake up" } });
    const android = await eventually(async () => services.fcm.received.find((m) => m.data.event_id === eventId), "the FCM message");
    expect(android.token).toBe("fcm-registration-token-bob");
    expect(android.data).toMatchObject({ room_id: roomId, sender: alice.userId });
    const iphone = await eventually(async () => services.apns.received.find((p) => p.payload.event_id === eventId), "the APNs push");
    expect(iphone.deviceToken).toBe(apnsToken.toString("hex"));
    expect(iphone.payload.room_id).toBe(roomId);
    expect(services.webPush.failures).toEqual([]);
    expect(services.fcm.failures).toEqual([]);
    expect(services.apns.failures).toEqual([]);
  });

  it("a subscription the push service calls gone comes back rejected, and Myelin deletes its pusher", async () => {
    const alice = await registerTestUser(app.http);
    const carol = await registerTestUser(app.http);
    const roomId = (await call(app.http, alice, "POST", "/createRoom", { preset: "public_chat" })).room_id as string;
    await call(app.http, carol, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    const gone = services.webPush.subscribe(410);
    const live = services.webPush.subscribe();
    await setPusher(app.http, carol, WEBPUSH_APP, gone.p256dh, { url: gateway.notifyUrl, endpoint: gone.endpoint, auth: gone.auth });
    await setPusher(app.http, carol, WEBPUSH_APP, live.p256dh, { url: gateway.notifyUrl, endpoint: live.endpoint, auth: live.auth });
    expect(await pushkeysOf(app.http, carol)).toEqual([gone.p256dh, live.p256dh].sort());

    await call(app.http, alice, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${++txn}`, { msgtype: "m.text", body: "anyone?" });
    await eventually(async () => ((await pushkeysOf(app.http, carol)).length === 1 ? true : undefined), "the rejected pusher's deletion");
    expect(await pushkeysOf(app.http, carol)).toEqual([live.p256dh]);
    await eventually(async () => (services.webPush.pushesFor(live.id).length === 1 ? true : undefined), "the live subscription's message");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../app/testing/cli-process.js";
import { startTestGateway, testGatewayConfig, useTestPushGateway, WEBPUSH_APP, type TestGateway } from "../testing/test-gateway.js";
import type { TestSubscription } from "../testing/webpush-receiver.js";

/** A pusher's device entry for a WebPush subscription, by Sygnal's convention (pushkey = p256dh). */
function deviceFor(subscription: TestSubscription, extra: Record<string, unknown> = {}) {
  return { app_id: WEBPUSH_APP, pushkey: subscription.p256dh, pushkey_ts: 1_700_000_000, data: { endpoint: subscription.endpoint, auth: subscription.auth, ...extra } };
}

const MESSAGE = {
  event_id: "$event1:example.org",
  room_id: "!room:example.org",
  type: "m.room.message",
  sender: "@alice:example.org",
  sender_display_name: "Alice",
  room_name: "Mission Control",
  prio: "high",
  content: { msgtype: "m.text", body: "I'm floating in a most peculiar way." },
  counts: { unread: 2, missed_calls: 1 },
} as const;

describe("WebPush delivery (RFC 8030, payload encryption RFC 8291, VAPID RFC 8292)", () => {
  const { credentials, services, gateway } = useTestPushGateway();

  it("encrypts the notification to the subscription and signs it with the VAPID key: the browser decrypts the event", async () => {
    const subscription = services.webPush.subscribe();
    const answer = await gateway.notify({ ...MESSAGE, devices: [deviceFor(subscription)] });
    expect(answer).toEqual({ status: 200, body: { rejected: [] } });
    expect(services.webPush.failures).toEqual([]);
    const [push] = services.webPush.pushesFor(subscription.id);
    expect(push.payload).toEqual({
      event_id: "$event1:example.org",
      room_id: "!room:example.org",
      type: "m.room.message",
      sender: "@alice:example.org",
      sender_display_name: "Alice",
      room_name: "Mission Control",
      prio: "high",
      content: { msgtype: "m.text", body: "I'm floating in a most peculiar way." },
      unread: 2,
      missed_calls: 1,
    });
    expect(push.vapid.publicKey).toBe(credentials.vapid.publicKey);
    expect(push.vapid.claims.sub).toBe("mailto:push@example.org");
    expect(push.headers.urgency).toBe("high");
    expect(push.headers.ttl).toBe("86400");
  });

  it("delivers a counts-only notification (a badge update) with the counts, zero when left out, under one topic", async () => {
    const subscription = services.webPush.subscribe();
    expect((await gateway.notify({ counts: { unread: 5 }, devices: [deviceFor(subscription)] })).body).toEqual({ rejected: [] });
    expect((await gateway.notify({ devices: [deviceFor(subscription)] })).body).toEqual({ rejected: [] });
    const pushes = services.webPush.pushesFor(subscription.id);
    expect(pushes.map((p) => p.payload)).toEqual([{ unread: 5 }, { unread: 0 }]);
    expect(pushes.map((p) => p.headers.topic)).toEqual(["unread-counts", "unread-counts"]);
  });

  it("drops the content of a notification too large for a push message, keeping the event id, within 4096 bytes", async () => {
    const subscription = services.webPush.subscribe();
    const content = { msgtype: "m.text", body: "x".repeat(10_000) };
    expect((await gateway.notify({ ...MESSAGE, content, devices: [deviceFor(subscription)] })).status).toBe(200);
    const [push] = services.webPush.pushesFor(subscription.id);
    expect(push.payload.event_id).toBe("$event1:example.org");
    expect(push.payload.sender).toBe("@alice:example.org");
    expect(push.payload).not.toHaveProperty("content");
    expect(push.bodyBytes).toBeLessThanOrEqual(4096);
  });

  it.each([404, 410])("answers rejected for a subscription the push service answers %i (gone for good)", async (status) => {
    const gone = services.webPush.subscribe(status);
    const live = services.webPush.subscribe();
    const answer = await gateway.notify({ ...MESSAGE, event_id: `$gone${status}`, devices: [deviceFor(gone), deviceFor(live)] });
    expect(answer).toEqual({ status: 200, body: { rejected: [gone.p256dh] } });
    expect(services.webPush.pushesFor(live.id)).toHaveLength(1);
  });

  it("answers 502 while a push service fails, and the retry reaches only the devices not reached yet", async () => {
    const flaky = services.webPush.subscribe(503);
    const fine = services.webPush.subscribe();
    const notification = { ...MESSAGE, event_id: "$retry", devices: [deviceFor(flaky), deviceFor(fine)] };
    expect((await gateway.notify(notification)).status).toBe(502);
    services.webPush.setAnswer(flaky.id, 201);
    expect(await gateway.notify(notification)).toEqual({ status: 200, body: { rejected: [] } });
    expect(services.webPush.pushesFor(fine.id)).toHaveLength(1);
    // The first attempt reached the flaky service too (it decrypted, then answered 503); the retry sent it again.
    expect(services.webPush.pushesFor(flaky.id)).toHaveLength(2);
    // The homeserver retrying a notification already delivered: suppressed by event id, not sent again.
    expect(await gateway.notify(notification)).toEqual({ status: 200, body: { rejected: [] } });
    expect(services.webPush.pushesFor(fine.id)).toHaveLength(1);
  });

  it("rejects a subscription missing data.endpoint or data.auth, or with keys that are not keys, without sending", async () => {
    const subscription = services.webPush.subscribe();
    const other = services.webPush.subscribe();
    const before = services.webPush.received.length;
    const devices = [
      { app_id: WEBPUSH_APP, pushkey: subscription.p256dh, data: { endpoint: subscription.endpoint } },
      { app_id: WEBPUSH_APP, pushkey: "not-a-key", data: { endpoint: subscription.endpoint, auth: subscription.auth } },
      { app_id: WEBPUSH_APP, pushkey: other.p256dh, data: { endpoint: "ftp://example.org/x", auth: other.auth } },
      // 65 bytes that start like a point but are not on the curve: nothing can be encrypted to it.
      { app_id: WEBPUSH_APP, pushkey: Buffer.alloc(65, 4).toString("base64url"), data: { endpoint: subscription.endpoint, auth: subscription.auth } },
    ];
    const answer = await gateway.notify({ ...MESSAGE, event_id: "$incomplete", devices });
    expect(answer.status).toBe(200);
    expect((answer.body.rejected as string[]).sort()).toEqual(devices.map((d) => d.pushkey).sort());
    expect(services.webPush.received.length).toBe(before);
  });

  it("answers 502 when the push service cannot be reached (a connection refused is not a verdict on the subscription)", async () => {
    const subscription = services.webPush.subscribe();
    const closedPort = await freePort();
    const device = deviceFor(subscription);
    const answer = await gateway.notify({ ...MESSAGE, event_id: "$unreachable", devices: [{ ...device, data: { ...device.data, endpoint: `http://127.0.0.1:${closedPort}/push/x` } }] });
    expect(answer.status).toBe(502);
  });

  it("rejects pushkeys of an app_id it does not serve", async () => {
    expect(await gateway.notify({ ...MESSAGE, devices: [{ app_id: "org.example.unknown", pushkey: "abc" }] })).toEqual({ status: 200, body: { rejected: ["abc"] } });
  });

  describe("with the default IP range filter", () => {
    let guarded: TestGateway;
    beforeAll(async () => {
      guarded = await startTestGateway(testGatewayConfig(credentials, services, { ip_range_allowlist: [] }));
    });
    afterAll(() => guarded?.gateway.stop());

    it("never connects to an endpoint on a private address, and rejects the subscription", async () => {
      const subscription = services.webPush.subscribe();
      expect(await guarded.notify({ ...MESSAGE, devices: [deviceFor(subscription)] })).toEqual({ status: 200, body: { rejected: [subscription.p256dh] } });
      expect(services.webPush.pushesFor(subscription.id)).toEqual([]);
    });
  });
});

import { describe, expect, it } from "vitest";
import { freePort } from "../../app/testing/cli-process.js";
import { APNS_APP, FCM_APP, TEST_FCM_PROJECT, startTestGateway, testGatewayConfig, useTestPushGateway } from "../testing/test-gateway.js";
import { apnsDeviceToken } from "./apns-app.js";

const MESSAGE = {
  event_id: "$apns1:example.org",
  room_id: "!room:example.org",
  type: "m.room.message",
  sender: "@alice:example.org",
  sender_display_name: "Alice",
  room_name: "Mission Control",
  content: { msgtype: "m.text", body: "hello" },
  counts: { unread: 7 },
};

/** iOS apps hand Matrix the device token's bytes in base64. */
function tokenPair(seed: number): { pushkey: string; hex: string } {
  const bytes = Buffer.alloc(32, seed);
  return { pushkey: bytes.toString("base64"), hex: bytes.toString("hex") };
}

const device = (pushkey: string, tweaks: Record<string, unknown> = { sound: "default" }) => ({ app_id: APNS_APP, pushkey, pushkey_ts: 1_700_000_000, data: {}, tweaks });

describe("APNs delivery (HTTP/2, token-based authentication)", () => {
  const { credentials, services, gateway } = useTestPushGateway();

  it("posts an alert with badge and sound to /3/device/<hex token>, with an ES256 provider token and Apple's headers", async () => {
    const { pushkey, hex } = tokenPair(1);
    expect(await gateway.notify({ ...MESSAGE, devices: [device(pushkey)] })).toEqual({ status: 200, body: { rejected: [] } });
    expect(services.apns.failures).toEqual([]);
    const [push] = services.apns.received;
    expect(push.deviceToken).toBe(hex);
    expect(push.headers).toEqual({ "apns-topic": credentials.apns.topic, "apns-push-type": "alert", "apns-priority": "10", "apns-collapse-id": undefined });
    expect(push.payload).toEqual({
      aps: { alert: { title: "Mission Control", body: "Alice: hello" }, badge: 7, sound: "default", "mutable-content": 1 },
      event_id: "$apns1:example.org",
      room_id: "!room:example.org",
      unread_count: 7,
    });
  });

  it("sends a counts-only notification as a badge update at priority 5, collapsed with earlier ones", async () => {
    const { pushkey, hex } = tokenPair(2);
    expect((await gateway.notify({ devices: [device(pushkey)] })).body).toEqual({ rejected: [] });
    const push = services.apns.received.find((p) => p.deviceToken === hex)!;
    expect(push.payload).toEqual({ aps: { badge: 0 }, unread_count: 0 });
    expect(push.headers).toMatchObject({ "apns-push-type": "alert", "apns-priority": "5", "apns-collapse-id": "unread-counts" });
  });

  it("sends a silent background push (priority 5, no badge) when the pusher's default_payload asks only for content-available", async () => {
    const { pushkey, hex } = tokenPair(3);
    const withDefaults = { ...device(pushkey), data: { default_payload: { aps: { "content-available": 1 } } } };
    expect((await gateway.notify({ ...MESSAGE, event_id: "$silent", devices: [withDefaults] })).status).toBe(200);
    const push = services.apns.received.find((p) => p.deviceToken === hex)!;
    expect(push.headers).toMatchObject({ "apns-push-type": "background", "apns-priority": "5" });
    expect(push.payload).toEqual({ aps: { "content-available": 1 }, event_id: "$silent", room_id: "!room:example.org", unread_count: 7 });
  });

  it("drops the message text when the payload would pass 4096 bytes", async () => {
    const { pushkey, hex } = tokenPair(4);
    expect((await gateway.notify({ ...MESSAGE, event_id: "$big", content: { msgtype: "m.text", body: "z".repeat(5000) }, devices: [device(pushkey)] })).status).toBe(200);
    const push = services.apns.received.find((p) => p.deviceToken === hex)!;
    expect(push.payload.event_id).toBe("$big");
    expect(push.payload.aps.alert).toEqual({ title: "Mission Control", body: "New message" });
  });

  it("answers rejected for tokens APNs calls Unregistered (410) or BadDeviceToken (400)", async () => {
    const gone = tokenPair(5);
    const bad = tokenPair(6);
    const fine = tokenPair(7);
    services.apns.setState(gone.hex, "unregistered");
    services.apns.setState(bad.hex, "bad-token");
    const answer = await gateway.notify({ ...MESSAGE, event_id: "$rej", devices: [device(gone.pushkey), device(bad.pushkey), device(fine.pushkey)] });
    expect(answer.status).toBe(200);
    expect((answer.body.rejected as string[]).sort()).toEqual([bad.pushkey, gone.pushkey].sort());
  });

  it("answers 502 while APNs is unavailable", async () => {
    const busy = tokenPair(8);
    services.apns.setState(busy.hex, "unavailable");
    expect((await gateway.notify({ ...MESSAGE, event_id: "$busy", devices: [device(busy.pushkey)] })).status).toBe(502);
  });

  it("makes a new provider token when APNs calls the current one expired, and sends again", async () => {
    const { pushkey, hex } = tokenPair(9);
    services.apns.expireNextProviderTokens = 1;
    const used = new Set(services.apns.received.map((p) => p.providerToken));
    expect(await gateway.notify({ ...MESSAGE, event_id: "$expired", devices: [device(pushkey)] })).toEqual({ status: 200, body: { rejected: [] } });
    const push = services.apns.received.find((p) => p.deviceToken === hex)!;
    expect(used.has(push.providerToken)).toBe(false);
  });

  it("answers 502 while APNs (or FCM) cannot be reached at all, and keeps serving", async () => {
    const closedPort = await freePort();
    const unreachable = await startTestGateway(
      testGatewayConfig(credentials, services, {
        apps: {
          [APNS_APP]: { type: "apns", team_id: credentials.apns.teamId, key_id: credentials.apns.keyId, key_file: credentials.apns.keyFile, topic: credentials.apns.topic, endpoint: `http://127.0.0.1:${closedPort}` },
          [FCM_APP]: { type: "fcm", project_id: TEST_FCM_PROJECT, service_account_file: credentials.serviceAccount.path, endpoint: `http://127.0.0.1:${closedPort}`, token_endpoint: services.fcm.tokenEndpoint },
        },
      }),
    );
    try {
      const { pushkey } = tokenPair(10);
      for (let i = 0; i < 2; i++) {
        expect((await unreachable.notify({ ...MESSAGE, event_id: `$down${i}`, devices: [device(pushkey)] })).status).toBe(502);
        expect((await unreachable.notify({ ...MESSAGE, event_id: `$down${i}`, devices: [{ app_id: FCM_APP, pushkey: "t" }] })).status).toBe(502);
      }
    } finally {
      await unreachable.gateway.stop();
    }
  });

  it("reads pushkeys as base64 token bytes, or as the hex token itself", () => {
    const hex = "ab".repeat(32);
    expect(apnsDeviceToken(hex)).toBe(hex);
    expect(apnsDeviceToken(Buffer.from(hex, "hex").toString("base64"))).toBe(hex);
    expect(apnsDeviceToken("not base64!")).toBeUndefined();
    expect(apnsDeviceToken("AA==")).toBeUndefined();
  });
});

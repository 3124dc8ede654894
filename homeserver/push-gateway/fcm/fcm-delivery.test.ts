import { describe, expect, it } from "vitest";
import { FCM_APP, useTestPushGateway } from "../testing/test-gateway.js";

const MESSAGE = {
  event_id: "$fcm1:example.org",
  room_id: "!room:example.org",
  type: "m.room.message",
  sender: "@alice:example.org",
  sender_display_name: "Alice",
  room_name: "Mission Control",
  user_is_target: false,
  content: { msgtype: "m.text", body: "hello" },
  counts: { unread: 3 },
};

const device = (pushkey: string) => ({ app_id: FCM_APP, pushkey, pushkey_ts: 1_700_000_000, data: {}, tweaks: { sound: "default" } });

describe("FCM HTTP v1 delivery (OAuth 2.0 service-account token, messages:send)", () => {
  const { credentials, services, gateway } = useTestPushGateway();

  it("gets an access token with a signed assertion once, and sends data messages with string values", async () => {
    expect(await gateway.notify({ ...MESSAGE, devices: [device("token-a")] })).toEqual({ status: 200, body: { rejected: [] } });
    expect(await gateway.notify({ ...MESSAGE, event_id: "$fcm2", prio: "low", devices: [device("token-b")] })).toEqual({ status: 200, body: { rejected: [] } });
    expect(services.fcm.failures).toEqual([]);
    // One exchange: the token is cached until it nears its expiry.
    expect(services.fcm.tokenRequests).toHaveLength(1);
    expect(services.fcm.tokenRequests[0].iss).toBe(credentials.serviceAccount.clientEmail);
    const [first, second] = services.fcm.received;
    expect(first.token).toBe("token-a");
    expect(first.data).toEqual({
      event_id: "$fcm1:example.org",
      room_id: "!room:example.org",
      type: "m.room.message",
      sender: "@alice:example.org",
      sender_display_name: "Alice",
      room_name: "Mission Control",
      user_is_target: "false",
      content: JSON.stringify({ msgtype: "m.text", body: "hello" }),
      unread: "3",
    });
    expect(first.android).toEqual({ priority: "high" });
    expect(second.android).toEqual({ priority: "normal" });
  });

  it("sends counts-only notifications as data with the counts", async () => {
    expect((await gateway.notify({ counts: { unread: 4, missed_calls: 1 }, devices: [device("token-c")] })).body).toEqual({ rejected: [] });
    const message = services.fcm.received.find((m) => m.token === "token-c")!;
    expect(message.data).toEqual({ unread: "4", missed_calls: "1" });
    expect(message.android).toEqual({ priority: "normal" });
  });

  it("drops content that would make the data larger than FCM's 4096 bytes", async () => {
    const content = { msgtype: "m.text", body: "y".repeat(5000) };
    expect((await gateway.notify({ ...MESSAGE, event_id: "$big", content, devices: [device("token-d")] })).status).toBe(200);
    const message = services.fcm.received.find((m) => m.token === "token-d")!;
    expect(message.data.event_id).toBe("$big");
    expect(message.data).not.toHaveProperty("content");
  });

  it("answers rejected for tokens FCM calls UNREGISTERED or INVALID_ARGUMENT", async () => {
    services.fcm.setState("gone", "unregistered");
    services.fcm.setState("bogus", "invalid");
    const answer = await gateway.notify({ ...MESSAGE, event_id: "$rej", devices: [device("gone"), device("bogus"), device("token-e")] });
    expect(answer.status).toBe(200);
    expect((answer.body.rejected as string[]).sort()).toEqual(["bogus", "gone"]);
  });

  it.each(["unavailable", "quota"] as const)("answers 502 when FCM is %s, so that the homeserver retries", async (state) => {
    services.fcm.setState(`busy-${state}`, state);
    expect((await gateway.notify({ ...MESSAGE, event_id: `$busy-${state}`, devices: [device(`busy-${state}`)] })).status).toBe(502);
  });

  it("asks for a new access token when FCM refuses the cached one, and sends again", async () => {
    const exchanges = services.fcm.tokenRequests.length;
    services.fcm.revokeNextSends = 1;
    expect(await gateway.notify({ ...MESSAGE, event_id: "$revoked", devices: [device("token-f")] })).toEqual({ status: 200, body: { rejected: [] } });
    expect(services.fcm.tokenRequests.length).toBe(exchanges + 1);
    expect(services.fcm.received.some((m) => m.token === "token-f")).toBe(true);
  });
});

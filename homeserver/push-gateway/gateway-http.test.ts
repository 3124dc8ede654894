import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOTIFY_PATH, type PushDevice, type PushNotification } from "../../schemas/push-gateway/notify.js";
import { silentLogger } from "../core/logger.js";
import { malformedBodies, oddContentTypes, toJsonText, WRONG_TYPED_VALUES } from "../app/fuzz/malformed-values.js";
import { buildPushGatewayHttp } from "./gateway-http.js";
import { NotifyService } from "./notify-service.js";
import { TransientDeliveryError, type DeliveryOutcome, type PushApp } from "./push-app.js";

/** An app that records what it is asked to deliver and answers by pushkey. */
class RecordingApp implements PushApp {
  readonly deliveries: Array<{ notification: PushNotification; device: PushDevice }> = [];
  async deliver(notification: PushNotification, device: PushDevice): Promise<DeliveryOutcome> {
    this.deliveries.push({ notification, device });
    if (device.pushkey.startsWith("transient")) throw new TransientDeliveryError("down");
    return device.pushkey.startsWith("gone") ? "rejected" : "delivered";
  }
  async close() {}
}

const APP_ID = "org.example.app";
const VALID = { event_id: "$e", room_id: "!r:example.org", devices: [{ app_id: APP_ID, pushkey: "key" }] };

describe("the Push Gateway API over HTTP", () => {
  const app = new RecordingApp();
  const http = buildPushGatewayHttp(new NotifyService(new Map([[APP_ID, app]]), silentLogger), silentLogger);
  beforeAll(() => http.ready());
  afterAll(() => http.close());

  const post = (payload: string | Buffer | undefined, contentType: string | null = "application/json") =>
    http.inject({ method: "POST", url: NOTIFY_PATH, payload, headers: contentType ? { "content-type": contentType } : {} });

  it("answers the rejected pushkeys, once each", async () => {
    const devices = [
      { app_id: APP_ID, pushkey: "gone-1" },
      { app_id: APP_ID, pushkey: "fine" },
      { app_id: APP_ID, pushkey: "gone-1" },
      { app_id: "org.example.other", pushkey: "elsewhere" },
    ];
    const response = await post(JSON.stringify({ notification: { ...VALID, event_id: "$rejections", devices } }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ rejected: ["gone-1", "elsewhere"] });
  });

  it("answers 502 when a delivery failed for now", async () => {
    const response = await post(JSON.stringify({ notification: { ...VALID, event_id: "$t", devices: [{ app_id: APP_ID, pushkey: "transient" }] } }));
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ errcode: "M_UNKNOWN" });
  });

  it.each([
    ["no notification", {}],
    ["no devices", { notification: { event_id: "$e" } }],
    ["empty devices", { notification: { devices: [] } }],
    ["a device without pushkey", { notification: { devices: [{ app_id: APP_ID }] } }],
    ["a device without app_id", { notification: { devices: [{ pushkey: "k" }] } }],
    ["101 devices", { notification: { devices: Array.from({ length: 101 }, (_, i) => ({ app_id: APP_ID, pushkey: `k${i}` })) } }],
    ["prio neither high nor low", { notification: { ...VALID, prio: "urgent" } }],
    ["a negative count", { notification: { ...VALID, counts: { unread: -1 } } }],
    ["content not an object", { notification: { ...VALID, content: "hello" } }],
  ])("answers 400 M_BAD_JSON for %s, delivering nothing", async (_name, body) => {
    const before = app.deliveries.length;
    const response = await post(JSON.stringify(body));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_BAD_JSON" });
    expect(app.deliveries.length).toBe(before);
  });

  it.each(malformedBodies(256 * 1024).map((b) => [b.label, b.value] as const))("answers a body that is %s with a 4xx Matrix error", async (_label, body) => {
    const response = await post(body);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(typeof response.json().errcode).toBe("string");
  });

  it.each(oddContentTypes(JSON.stringify({ notification: VALID })).map((c) => [c.label, c.value] as const))("answers content type %s with no 5xx", async (_label, { contentType, payload }) => {
    const response = await post(payload, contentType);
    expect(response.statusCode).toBeLessThan(500);
  });

  const FIELDS = ["event_id", "room_id", "type", "sender", "sender_display_name", "room_name", "room_alias", "user_is_target", "prio", "content", "counts", "devices"];
  const DEVICE_FIELDS = ["app_id", "pushkey", "pushkey_ts", "data", "tweaks"];
  it("never answers 5xx to a notification with a field of any wrong type", async () => {
    const answers: string[] = [];
    for (const { label, value } of WRONG_TYPED_VALUES) {
      for (const field of FIELDS) {
        const response = await post(toJsonText({ notification: { ...VALID, event_id: `$${field}-${label}`, [field]: value } }));
        if (response.statusCode >= 500) answers.push(`${field} = ${label}: ${response.statusCode}`);
      }
      for (const field of DEVICE_FIELDS) {
        const device = { app_id: APP_ID, pushkey: `k-${field}-${label}`.slice(0, 50), [field]: value };
        const response = await post(toJsonText({ notification: { ...VALID, event_id: `$d-${field}-${label}`, devices: [device] } }));
        if (response.statusCode >= 500) answers.push(`devices[0].${field} = ${label}: ${response.statusCode}`);
      }
    }
    expect(answers).toEqual([]);
  });

  it("answers GET /health with 200 and an unknown path with 404 M_UNRECOGNIZED", async () => {
    expect((await http.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    const unknown = await http.inject({ method: "POST", url: "/_matrix/push/v2/notify", payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });
});

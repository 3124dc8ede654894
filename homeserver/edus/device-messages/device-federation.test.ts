import { describe, expect, it } from "vitest";
import { silentLogger } from "../../core/logger.js";
import { DeviceMessagingCleanup, KEEP_INBOUND_MESSAGE_IDS_MS, KEEP_TO_DEVICE_TXNS_MS } from "./cleanup-job.js";
import { deviceListUpdate } from "./device-list-updates-out.js";
import { splitBySize } from "./direct-to-device-edu.js";

describe("m.direct_to_device parts", () => {
  it("keeps one server's messages in one EDU while they fit, and splits by whole device messages when not", () => {
    const small = { "@a:x": { D1: { k: "v" }, D2: { k: "v" } }, "@b:x": { "*": { k: "v" } } };
    expect(splitBySize(small, 60_000)).toEqual([small]);
    const big = "x".repeat(400);
    const many = { "@a:x": Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`D${i}`, { big }])) };
    const parts = splitBySize(many, 1_000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThan(1_000);
    // Nothing lost, nothing doubled, in order.
    expect(parts.flatMap((part) => Object.keys(part["@a:x"]))).toEqual(Object.keys(many["@a:x"]));
    // One message above the limit still goes, alone.
    expect(splitBySize({ "@a:x": { D: { big: "y".repeat(2_000) } } }, 1_000)).toHaveLength(1);
    expect(splitBySize({ "@a:x": {} }, 1_000)).toEqual([]);
  });

  it("keeps a device id named __proto__ as an ordinary entry", () => {
    const messages = JSON.parse('{"@a:x": {"__proto__": {"k": 1}}}') as Record<string, Record<string, Record<string, unknown>>>;
    const [part] = splitBySize(messages, 60_000);
    expect(Object.hasOwn(part["@a:x"], "__proto__")).toBe(true);
    expect(JSON.stringify(part)).toBe('{"@a:x":{"__proto__":{"k":1}}}');
  });
});

describe("m.device_list_update content", () => {
  it("names the previous update, carries the keys of a device that exists, and marks a deleted one", () => {
    const keys = { user_id: "@a:x", device_id: "D", algorithms: [], keys: {}, signatures: {} };
    expect(deviceListUpdate("@a:x", { deviceId: "D", exists: true, keyJson: JSON.stringify(keys), displayName: "phone" }, 5, 4)).toEqual({
      edu_type: "m.device_list_update",
      content: { user_id: "@a:x", device_id: "D", stream_id: 5, prev_id: [4], deleted: false, keys },
    });
    expect(deviceListUpdate("@a:x", { deviceId: "D", exists: false, keyJson: null, displayName: null }, 1, 0)).toEqual({
      edu_type: "m.device_list_update",
      content: { user_id: "@a:x", device_id: "D", stream_id: 1, prev_id: [], deleted: true },
    });
  });
});

describe("the device messaging cleanup", () => {
  it("prunes sendToDevice request ids older than a day and inbound message ids older than a week", async () => {
    const now = 10 * KEEP_INBOUND_MESSAGE_IDS_MS;
    const asked: Array<{ inboundBefore: number; toDeviceTxnsBefore: number }> = [];
    const cleanup = new DeviceMessagingCleanup(
      { clock: { now: () => now }, logger: silentLogger },
      {
        prune: async (cutoffs) => {
          asked.push(cutoffs);
          return { inbound: 1, toDeviceTxns: 2 };
        },
      },
    );
    expect(await cleanup.runOnce()).toEqual({ inbound: 1, toDeviceTxns: 2 });
    expect(asked).toEqual([{ inboundBefore: now - KEEP_INBOUND_MESSAGE_IDS_MS, toDeviceTxnsBefore: now - KEEP_TO_DEVICE_TXNS_MS }]);
    expect(KEEP_TO_DEVICE_TXNS_MS).toBe(24 * 60 * 60 * 1000);
    // The schedule starts and stops without running anything now.
    const job = cleanup.start();
    job.stop();
    expect(asked).toHaveLength(1);
  });
});

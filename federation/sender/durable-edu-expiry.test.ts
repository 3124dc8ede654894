import { describe, expect, it } from "vitest";
import { testDrivers } from "../../homeserver/app/test-app.js";
import { useTestApp } from "../../homeserver/app/testing/use-test-app.js";
import { EXPIRY_CHECK_INTERVAL_MS } from "../../homeserver/edus/device-messages/durable-edus.js";
import { DestinationDurableEdus } from "./durable-edu-outbox.js";

const HOUR = 3_600_000;

/**
 * Durable EDUs for a destination that never takes them are dropped after federation.durable_edu_max_age_ms,
 * except each user's latest device list and signing key update, from which the destination catches up (a resync
 * of the user's list, current cross-signing keys) should it come back.
 */
describe.each(testDrivers())("expiry of durable EDUs a destination never took (%s)", (driver) => {
  let now = 1_000_000_000;
  const { app } = useTestApp(driver, { config: { federation: { durable_edu_max_age_ms: 2 * HOUR } }, clock: { now: () => now } });

  const toDevice = (id: string) => ({ edu_type: "m.direct_to_device", content: { sender: "@s:test.local", type: "m.x", message_id: id, messages: {} } });
  const deviceList = (userId: string, streamId: number) => ({
    edu_type: "m.device_list_update",
    content: { user_id: userId, device_id: "D", stream_id: streamId, prev_id: streamId > 1 ? [streamId - 1] : [], deleted: false },
  });
  const signingKeys = (userId: string, tag: string) => ({ edu_type: "m.signing_key_update", content: { user_id: userId, tag } });
  const queue = (destination: string, edus: Array<{ edu_type: string; content: Record<string, unknown> }>) =>
    app.ctx.database.transaction((tx) =>
      app.ctx.stores.federationOutbox.enqueue(tx, edus.map((edu) => ({ destination, eduType: edu.edu_type, content: JSON.stringify(edu.content) })), now),
    );
  const waiting = async (destination: string) =>
    (await new DestinationDurableEdus(app.ctx.deviceFederation.outbox, destination, true).take(100)).edus.map(({ edu }) => edu);

  it("drops to-device messages and superseded updates older than the limit, keeping each user's latest updates and anything newer", async () => {
    const gone = "gone.example";
    await queue(gone, [
      toDevice("old-1"),
      deviceList("@u:test.local", 1),
      deviceList("@u:test.local", 2),
      signingKeys("@u:test.local", "first"),
      signingKeys("@u:test.local", "second"),
      deviceList("@v:test.local", 1),
      toDevice("old-2"),
    ]);
    await queue("alive.example", [toDevice("alive-old")]);
    now += HOUR;
    await queue(gone, [toDevice("recent"), deviceList("@w:test.local", 1)]);
    // Younger than the limit: nothing is dropped yet.
    expect(await waiting(gone)).toHaveLength(9);

    now += 1.5 * HOUR;
    expect(await waiting(gone)).toEqual([
      deviceList("@u:test.local", 2),
      signingKeys("@u:test.local", "second"),
      deviceList("@v:test.local", 1),
      toDevice("recent"),
      deviceList("@w:test.local", 1),
    ]);
    // Another destination's rows are its own: they go when it is read, not before.
    expect(await app.ctx.stores.federationOutbox.countPending("alive.example")).toBe(1);
    expect(await waiting("alive.example")).toEqual([]);
  });

  it("looks for expired rows of a destination at most once an hour", async () => {
    const slow = "slow.example";
    await queue(slow, [toDevice("a")]);
    now += 1.5 * HOUR;
    expect(await waiting(slow)).toHaveLength(1);
    // Past the limit, but within the hour since the last look: still there.
    now += 0.75 * HOUR;
    expect(await waiting(slow)).toHaveLength(1);
    now += EXPIRY_CHECK_INTERVAL_MS - 0.75 * HOUR;
    expect(await waiting(slow)).toEqual([]);
  });
});

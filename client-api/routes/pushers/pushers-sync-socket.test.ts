import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { eventually, LOOPBACK_FEDERATION } from "../../../homeserver/app/testing/loopback-server.js";
import { GatewayStub } from "../../../homeserver/push/pushers/testing/gateway-stub.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { syncSocketUrl, TestSyncSocket } from "../sync/websocket/testing/sync-socket-client.js";

const V3 = "/_matrix/client/v3";
let txn = 0;

// push.pushers.skip_when_syncing (on by default): a device that sync is serving is not woken by its pusher.
describe.each(testDrivers())("pushers and live sync connections on %s", (driver) => {
  let gateway: GatewayStub;
  /** Moves the server's clock past the grace after a device's last sync. */
  let clockOffset = 0;
  // The gateway's hooks come first: it starts before the app and stops after the app is disposed of.
  beforeAll(async () => {
    gateway = new GatewayStub();
    await gateway.start();
  });
  afterAll(() => gateway.stop());
  const { app } = useTestApp(driver, { config: { federation: LOOPBACK_FEDERATION }, clock: { now: () => Date.now() + clockOffset } });

  const call = async (who: TestUser, method: "POST" | "PUT", url: string, payload: unknown) => {
    const response = await app.http.inject({ method, url: `${V3}${url}`, headers: bearer(who), payload: payload as object });
    if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json() as Record<string, unknown>;
  };
  const setPusher = (who: TestUser) =>
    call(who, "POST", "/pushers/set", { kind: "http", app_id: "org.example.app", pushkey: who.localpart, app_display_name: "A", device_display_name: "D", lang: "en", data: { url: gateway.url } });
  const send = async (who: TestUser, roomId: string, body: string) =>
    (await call(who, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${++txn}`, { msgtype: "m.text", body })).event_id as string;

  it("a device with an open sync socket is not pushed for a message; the same device, disconnected, is", async () => {
    const [sender, syncing, control] = [await registerTestUser(app.http), await registerTestUser(app.http), await registerTestUser(app.http)];
    const roomId = (await call(sender, "POST", "/createRoom", { preset: "public_chat" })).room_id as string;
    for (const member of [syncing, control]) {
      await call(member, "POST", `/join/${encodeURIComponent(roomId)}`, {});
      await setPusher(member);
    }
    const socket = await TestSyncSocket.open(await syncSocketUrl(app.http), syncing.accessToken);
    try {
      socket.send({ type: "sync" });
      await socket.next("sync");
      const first = await send(sender, roomId, "seen live");
      // The control member (no socket) is pushed; the syncing device's cursor moves past the event unpushed.
      await eventually(async () => (gateway.deliveredTo(control.localpart).some((n) => n.event_id === first) ? true : undefined), "the control's notification");
      const position = (await app.ctx.stores.events.get(first))!.streamPos;
      await eventually(async () => ((await app.ctx.stores.pushers.forUser(syncing.userId))[0].lastStreamPos >= position ? true : undefined), "the live device's cursor");
      expect(gateway.deliveredTo(syncing.localpart)).toEqual([]);
    } finally {
      await socket.close();
    }
    clockOffset += app.ctx.config.push.pushers.sync_grace_ms + 1_000;
    const second = await send(sender, roomId, "while away");
    const pushed = await eventually(async () => gateway.deliveredTo(syncing.localpart)[0], "the disconnected device's notification");
    expect(pushed.event_id).toBe(second);
  });

  it("a device that long-polled a moment ago is not pushed; with skip_when_syncing off it is", async () => {
    const [sender, poller] = [await registerTestUser(app.http), await registerTestUser(app.http)];
    const roomId = (await call(sender, "POST", "/createRoom", { preset: "public_chat" })).room_id as string;
    await call(poller, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    await setPusher(poller);
    const initial = await app.http.inject({ method: "GET", url: `${V3}/sync`, headers: bearer(poller) });
    expect(initial.statusCode).toBe(200);
    const first = await send(sender, roomId, "fetched by the long-poll");
    const position = (await app.ctx.stores.events.get(first))!.streamPos;
    await eventually(async () => ((await app.ctx.stores.pushers.forUser(poller.userId))[0].lastStreamPos >= position ? true : undefined), "the cursor");
    expect(gateway.deliveredTo(poller.localpart)).toEqual([]);
    app.ctx.config.push.pushers.skip_when_syncing = false;
    try {
      await app.http.inject({ method: "GET", url: `${V3}/sync`, headers: bearer(poller) });
      const second = await send(sender, roomId, "pushed anyway");
      const pushed = await eventually(async () => gateway.deliveredTo(poller.localpart)[0], "the notification");
      expect(pushed.event_id).toBe(second);
    } finally {
      app.ctx.config.push.pushers.skip_when_syncing = true;
    }
  });
});

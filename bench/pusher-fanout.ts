/**
 * Pusher fan-out benchmark: one message into a room of N local members (1,000) in which every member has an
 * http pusher pointing at a local push gateway stub (homeserver/push/pushers/testing/gateway-stub.ts). Figures:
 * notifications per second and the time from the send until the last notification reaches the gateway, each
 * beside the machine floor: the same number of POSTs of the same body sent straight to the stub from this
 * process through undici (64 at a time, as many as the pusher loop sends at once), with no Myelin in between.
 *
 *   npx tsx bench/pusher-fanout.ts [--embedded] [--members N]
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { createTestApp } from "../homeserver/app/test-app.js";
import { LOOPBACK_FEDERATION } from "../homeserver/app/testing/loopback-server.js";
import type { Requester } from "../homeserver/users/requester.js";
import { GatewayStub } from "../homeserver/push/pushers/testing/gateway-stub.js";
import { pickDriver, type FederationFigure } from "./federation.js";

export interface PusherFanoutOptions {
  members?: number;
  forceEmbedded?: boolean;
  log?: (line: string) => void;
}

const JOIN_BATCH = 25;
const FLOOR_CONCURRENCY = 64;
const DEADLINE_MS = 300_000;

let lastDriverLabel = "not started";
export function pusherFanoutDriver(): string {
  return lastDriverLabel;
}

export async function runPusherFanout(options: PusherFanoutOptions = {}): Promise<FederationFigure[]> {
  const members = options.members ?? 1_000;
  const log = options.log ?? ((line: string) => console.error(`[pusher-fanout] ${line}`));
  const { driver, label } = await pickDriver(options.forceEmbedded);
  lastDriverLabel = label;
  log(`database: ${label}; load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  const gateway = new GatewayStub();
  gateway.recordBodies = false;
  await gateway.start();
  // Loopback is a private range: the test allowlist lets the pushers reach the stub. Nobody syncs, so every
  // member is pushed (skip_when_syncing would change nothing; it is left on).
  const app = await createTestApp(driver, { federation: LOOPBACK_FEDERATION });
  try {
    const started = performance.now();
    const users: Requester[] = [];
    for (let i = 0; i < members; i += JOIN_BATCH) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(JOIN_BATCH, members - i) }, async (_, j) => {
          const { userId } = await app.ctx.users.accounts.createAccount({ localpart: `fan${i + j}`, password: null, session: { deviceId: "PHONE" } });
          return { userId, deviceId: "PHONE", isAdmin: false, tokenHash: "" } satisfies Requester;
        }),
      );
      users.push(...batch);
    }
    const [sender] = users;
    const roomId = await app.ctx.rooms.service.createRoom(sender, { preset: "public_chat", name: "pusher fan-out" });
    for (let i = 1; i < members; i += JOIN_BATCH) await Promise.all(users.slice(i, i + JOIN_BATCH).map((u) => app.ctx.rooms.service.join(u, roomId)));
    for (let i = 0; i < members; i += JOIN_BATCH) {
      await Promise.all(
        users.slice(i, i + JOIN_BATCH).map((u, j) =>
          app.ctx.pushers.service.set(u, {
            kind: "http",
            app_id: "org.example.bench",
            pushkey: `key-${i + j}`,
            app_display_name: "Bench",
            device_display_name: "Phone",
            lang: "en",
            data: { url: gateway.url },
          }),
        ),
      );
    }
    log(`room of ${members} members, each with a pusher, set up in ${Math.round(performance.now() - started)} ms`);

    const expected = members - 1;
    /** One message; resolves when every other member's notification has reached the gateway. */
    const fanOut = async (txnId: string) => {
      let delivered = 0;
      let firstAt = 0;
      let lastAt = 0;
      let sample = "";
      const allArrived = new Promise<void>((resolve) => {
        gateway.onDelivered = (request) => {
          const now = performance.now();
          if (++delivered === 1) {
            firstAt = now;
            sample = JSON.stringify(request.body);
          }
          if (delivered >= expected) {
            lastAt = now;
            resolve();
          }
        };
      });
      const sentAt = performance.now();
      await app.ctx.rooms.service.sendMessage(sender, roomId, "m.room.message", { msgtype: "m.text", body: "wake up", "m.mentions": {} }, txnId);
      const acknowledgedMs = performance.now() - sentAt;
      await Promise.race([allArrived, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${delivered} of ${expected} notifications arrived`)), DEADLINE_MS).unref())]);
      const result = { firstMs: firstAt - sentAt, lastMs: lastAt - sentAt, acknowledgedMs, sample, rate: expected / ((lastAt - sentAt) / 1000) };
      log(`${txnId}: ${expected} notifications: first after ${Math.round(result.firstMs)} ms, last after ${Math.round(result.lastMs)} ms (${Math.round(result.rate)}/s); send acknowledged in ${Math.round(acknowledgedMs)} ms`);
      return result;
    };
    // The first message after start also pays for compiling the code on its path (the floor below runs warm):
    // it is printed, and the figure is the next message's, as a server that has been running sees it.
    const cold = await fanOut("fanout-cold");
    const { sample, rate, lastMs, firstMs } = await fanOut("fanout-warm");

    gateway.onDelivered = undefined;
    const floorMs = await postFloor(gateway.url, sample, expected);
    const floorRate = expected / (floorMs / 1000);
    log(`floor: ${expected} POSTs of the same body straight to the stub in ${Math.round(floorMs)} ms (${Math.round(floorRate)}/s)`);
    const round = (n: number) => Math.round(n);
    return [
      { name: `pusher fan-out: one message into a room of ${members} members, each with a pusher: notifications per second`, value: round(rate), unit: "/s" },
      { name: `  machine floor: the same ${expected} POSTs straight to the gateway stub, ${FLOOR_CONCURRENCY} at a time`, value: round(floorRate), unit: "/s" },
      { name: "  time from the send until the last notification reached the gateway", value: round(lastMs), unit: "ms" },
      { name: "  machine floor: time for those POSTs alone", value: round(floorMs), unit: "ms" },
      { name: "  time until the first notification reached the gateway", value: round(firstMs), unit: "ms" },
      { name: "  the first message after start (code not yet compiled): notifications per second", value: round(cold.rate), unit: "/s" },
    ];
  } finally {
    await app.dispose();
    await gateway.stop();
  }
}

/** The HTTP part alone: `count` POSTs of `body` to the stub, FLOOR_CONCURRENCY in flight, over kept-alive connections. */
async function postFloor(url: string, body: string, count: number): Promise<number> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 4 });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const response = await pool.request({ method: "POST", path: target.pathname, headers: { "content-type": "application/json" }, body });
      await response.body.text();
    }
  };
  await Promise.all(Array.from({ length: FLOOR_CONCURRENCY }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  return elapsed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { embedded: { type: "boolean", default: false }, members: { type: "string" } } });
  const figures = await runPusherFanout({ forceEmbedded: values.embedded, members: values.members ? Number(values.members) : undefined });
  console.log(`database: ${pusherFanoutDriver()}; 1-minute load average ${loadavg()[0].toFixed(2)}`);
  for (const { name, value, unit } of figures) console.log(`${name}: ${value} ${unit}`);
}

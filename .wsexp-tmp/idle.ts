
import { createTestApp } from "../homeserver/app/test-app.js";
import { bearer, registerTestUser } from "../homeserver/users/testing/http-users.js";
import { syncSocketUrl, TestSyncSocket } from "../client-api/routes/sync/websocket/testing/sync-socket-client.js";
import v8 from "node:v8";

await (async () => {
  const app = await createTestApp("postgres", { sync: { websocket: { heartbeat_interval_ms: 300000, compression: { threshold_bytes: Number(process.env.TH ?? 1024) } } } });
  const url = await syncSocketUrl(app.http);
  const users = [];
  for (let i = 0; i < 20; i++) users.push(await registerTestUser(app.http));
  const roomId = (await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", headers: bearer(users[0]), payload: { preset: "public_chat" } })).json().room_id;
  for (const u of users.slice(1)) await app.http.inject({ method: "POST", url: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/join`, headers: bearer(u), payload: {} });
  const since = (await app.http.inject({ method: "GET", url: "/_matrix/client/v3/sync", headers: bearer(users[1]) })).json().next_batch;
  const gc = () => { (globalThis as any).gc(); (globalThis as any).gc(); return process.memoryUsage(); };
  await new Promise((r) => setTimeout(r, 500));
  const N = 1000;
  const before = gc();
  const sockets = [];
  for (let i = 0; i < N; i++) {
    const u = users[1 + (i % 19)];
    const s = await TestSyncSocket.open(url, u.accessToken);
    s.send({ type: "sync", since: process.env.INITIAL ? undefined : since });
    sockets.push(s);
  }
  await new Promise((r) => setTimeout(r, 1500));
  const after = gc();
  const kb = (k: keyof NodeJS.MemoryUsage) => ((after[k] - before[k]) / N / 1024).toFixed(2);
  console.log(`per conn (client+server in one process): rss ${kb("rss")} heap ${kb("heapUsed")} external ${kb("external")} ab ${kb("arrayBuffers")}`);
  if (process.env.SNAP) v8.writeHeapSnapshot("/tmp/wsexp/idle.heapsnapshot");
  for (const s of sockets) s.ws.terminate();
  await app.dispose();
})();

import { spawn } from "node:child_process";
import { WebSocket } from "ws";
import { createInterface } from "node:readline";
import http from "node:http";
const [mode, n] = [process.argv[2], Number(process.argv[3] ?? 2000)];
const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", ".wsexp-tmp/server.mts", mode], { cwd: "/work/main", stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: child.stdout! });
const queue: any[] = []; let wake: any;
lines.on("line", (l) => { queue.push(JSON.parse(l)); wake?.(); });
const next = async () => { while (!queue.length) await new Promise((r) => (wake = r)); return queue.shift(); };
const { port } = await next();
const gc = async () => { child.stdin!.write("gc\n"); return next(); };
await new Promise((r) => setTimeout(r, 500));
const before = await gc();
const keep: any[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: n + 10 });
for (let i = 0; i < n; i++) {
  if (mode.startsWith("poll")) { const req = http.get({ host: "127.0.0.1", port, path: "/poll", agent }); req.on("error", () => {}); keep.push(req); continue; }
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: mode.includes("deflate") });
  await new Promise((r) => ws.once("open", r));
  if (mode.includes("msg")) { ws.send("{}"); await new Promise((r) => ws.once("message", r)); }
  keep.push(ws);
}
await new Promise((r) => setTimeout(r, 1500));
const after = await gc();
const kb = (k: string) => ((after[k] - before[k]) / n / 1024).toFixed(1);
console.log(`${mode} n=${n}: rss ${kb("rss")} KB/conn, heap ${kb("heap")}, external ${kb("ext")}, arrayBuffers ${kb("ab")}`);
child.kill(); process.exit(0);

import Fastify from "fastify";
import websocket from "@fastify/websocket";
const mode = process.argv[2] ?? "bare";
const app = Fastify();
app.register(websocket, { options: { perMessageDeflate: mode.includes("deflate") ? { threshold: 0, serverMaxWindowBits: 10, zlibDeflateOptions: { memLevel: 2 } } : false } });
app.register(async (s) => {
  s.get("/ws", { websocket: true }, (socket) => {
    socket.on("message", () => socket.send(JSON.stringify({ type: "sync", response: { next_batch: "s1", rooms: { join: { "!a:b": { timeline: { events: Array.from({ length: 5 }, (_, i) => ({ type: "m.room.message", content: { body: "x" + i } })) } } } } } })));
  });
  s.get("/poll", (req, reply) => { /* never answers */ return new Promise(() => {}); });
});
await app.listen({ port: 0, host: "127.0.0.1" });
const port = (app.server.address() as any).port;
process.stdout.write(JSON.stringify({ port, pid: process.pid }) + "\n");
process.on("message", () => {});
process.stdin.on("data", (d) => { if (String(d).trim() === "gc") { (global as any).gc(); (global as any).gc(); const m = process.memoryUsage(); process.stdout.write(JSON.stringify({ rss: m.rss, heap: m.heapUsed, ext: m.external, ab: m.arrayBuffers }) + "\n"); } });

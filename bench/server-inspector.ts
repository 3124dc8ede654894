import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { WebSocket } from "ws";

/** A node flag that opens the server's inspector on a free loopback port. */
export async function inspectorArgument(): Promise<{ argument: string; port: number }> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
  return { argument: `--inspect=127.0.0.1:${port}`, port };
}

/** One DevTools-protocol session with the server process; `call` sends a method and resolves with its result. */
export async function withInspector<T>(port: number, work: (call: (method: string, params?: object) => Promise<Record<string, unknown>>) => Promise<T>): Promise<T> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const inspector = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    inspector.once("open", resolve);
    inspector.once("error", reject);
  });
  let nextId = 0;
  const call = (method: string, params?: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
        if (message.id !== id) return;
        inspector.off("message", onMessage);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result ?? {});
      };
      inspector.on("message", onMessage);
      inspector.send(JSON.stringify({ id, method, params }));
    });
  try {
    return await work(call);
  } finally {
    inspector.close();
  }
}

/** A full GC in the server; returns the JS heap in use after it, in MB. */
export function collectGarbage(port: number): Promise<number> {
  return withInspector(port, async (call) => {
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return Math.round((Number(usage.usedSize) / 1024 / 1024) * 100) / 100;
  });
}

/**
 * Profiles the server's CPU while `work` runs (and only then, unlike --cpu-prof, which also takes in start-up
 * and setup), writing `name`.cpuprofile into `dir` for Chrome DevTools or speedscope.
 */
export async function profiled<T>(port: number, dir: string, name: string, work: () => Promise<T>): Promise<T> {
  return withInspector(port, async (call) => {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 200 });
    await call("Profiler.start");
    try {
      return await work();
    } finally {
      const { profile } = await call("Profiler.stop");
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    }
  });
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface RestartControl {
  /** POST here to restart the server under test; answers once it is ready again. */
  url: string;
  close(): Promise<void>;
}

/**
 * A loopback HTTP endpoint through which test files (which run in other processes than the global setup)
 * can ask for the server under test to be stopped and started again with the same data.
 */
export async function startRestartControl(restart: () => Promise<void>): Promise<RestartControl> {
  // Restarts are serialised: a second request waits for the first one to finish.
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/restart") {
      response.writeHead(404).end();
      return;
    }
    request.resume();
    const started = Date.now();
    const run = queue.then(restart);
    queue = run.catch(() => undefined);
    run.then(
      () => reply(200, { restarted: true, took_ms: Date.now() - started }),
      (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
    );
    function reply(status: number, body: unknown) {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    }
  });
  // A restart can take a while; never let node's default request timeout cut it off.
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/restart`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

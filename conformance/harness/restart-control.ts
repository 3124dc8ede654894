import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** How the server under test is stopped before it starts again: graceful (SIGTERM) or a crash (SIGKILL). */
export type StopSignal = "SIGTERM" | "SIGKILL";
const stopSignals: readonly string[] = ["SIGTERM", "SIGKILL"] satisfies StopSignal[];

export interface RestartControl {
  /**
   * POST here to restart the server under test; answers once it is ready again. `?signal=SIGKILL` kills it
   * instead of stopping it (SIGTERM is the default).
   */
  url: string;
  close(): Promise<void>;
}

/** The control's answer to a successful restart. */
export interface RestartReport {
  restarted: true;
  signal: StopSignal;
  /** Date.now() in the harness when the signal was sent: the same clock as the test files' on this machine. */
  signalled_at_ms: number;
  took_ms: number;
}

/**
 * A loopback HTTP endpoint through which test files (which run in other processes than the global setup)
 * can ask for the server under test to be stopped (or killed) and started again with the same data.
 * `restart` resolves with Date.now() at the moment it sent the signal.
 */
export async function startRestartControl(restart: (signal: StopSignal) => Promise<number>): Promise<RestartControl> {
  // Restarts are serialised: a second request waits for the first one to finish.
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://control");
    const signal = url.searchParams.get("signal") ?? "SIGTERM";
    if (request.method !== "POST" || url.pathname !== "/restart") {
      response.writeHead(404).end();
      return;
    }
    if (!stopSignals.includes(signal)) {
      reply(400, { error: `signal must be one of ${stopSignals.join(", ")}; got "${signal}"` });
      return;
    }
    request.resume();
    const started = Date.now();
    const run = queue.then(() => restart(signal as StopSignal));
    queue = run.catch(() => undefined);
    run.then(
      (signalledAt) => {
        const took_ms = Date.now() - started;
        const report: RestartReport = { restarted: true, signal: signal as StopSignal, signalled_at_ms: signalledAt, took_ms };
        reply(200, report);
      },
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

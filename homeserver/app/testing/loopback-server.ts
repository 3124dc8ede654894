import { requesterFor } from "../../users/testing/requesters.js";
import { createServer } from "node:net";
import type { Clock } from "../../core/clock.js";
import { createTestApp, type DriverName, type TestApp } from "../test-app.js";
import type { Requester } from "../../users/requester.js";

/**
 * A homeserver on loopback named `127.0.0.1:<port>`, as other servers reach it, for tests between servers in
 * one process (homeserver/'s EDU tests, and federation/'s peers built on it).
 */
export interface LoopbackServer {
  app: TestApp;
  name: string;
  port: number;
}

/** A port nothing listens on now (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Federation settings under which servers on loopback reach each other over plain HTTP. */
export const LOOPBACK_FEDERATION = { allow_insecure_http_for_tests: true, ip_range_allowlist: ["127.0.0.0/8"], verify_tls: false };

/** With its federation sender unless `federationSender: false`. */
export async function startLoopbackServer(driver: DriverName, options: { clock?: Clock; federationSender?: boolean } = {}): Promise<LoopbackServer> {
  const port = await freePort();
  const name = `127.0.0.1:${port}`;
  const app = await createTestApp(driver, { server_name: name, federation: LOOPBACK_FEDERATION }, options.clock, {
    federationSender: options.federationSender ?? true,
  });
  await app.http.listen({ port, host: "127.0.0.1" });
  return { app, name, port };
}

export async function localUser(server: LoopbackServer, localpart: string): Promise<Requester> {
  const { userId } = await server.app.ctx.users.accounts.createAccount({ localpart, password: null });
  return requesterFor(userId);
}

/** Polls `probe` until it returns something other than undefined (federation is asynchronous). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, deadlineMs = 20_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

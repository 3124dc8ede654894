import { createServer } from "node:net";
import { request as undiciRequest } from "undici";
import { createTestApp, type DriverName, type TestApp } from "../../../homeserver/app/test-app.js";
import type { Requester } from "../../../homeserver/users/requester.js";
import { FederationRequestError } from "../../client/errors.js";
import { federationPath } from "../../client/federation-client.js";
import { signRequest } from "../../x-matrix.js";

export { federationPath };

/** A homeserver listening on loopback, named `127.0.0.1:<port>` as peers reach it. */
export interface Peer {
  app: TestApp;
  name: string;
  port: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Plain http and the loopback allowlist are the tests-only switches for federation between local peers.
const LOOPBACK_FEDERATION = { allow_insecure_http_for_tests: true, ip_range_allowlist: ["127.0.0.0/8"], verify_tls: false };

export async function startPeer(driver: DriverName, options: { federationSender?: boolean } = {}): Promise<Peer> {
  const port = await freePort();
  const name = `127.0.0.1:${port}`;
  const app = await createTestApp(driver, { server_name: name, federation: LOOPBACK_FEDERATION }, undefined, options);
  await app.http.listen({ port, host: "127.0.0.1" });
  return { app, name, port };
}

export async function stopPeers(...peers: Array<Peer | undefined>): Promise<void> {
  await Promise.all(peers.map((peer) => peer?.app.dispose()));
}

/** A user of `peer` with an account (invites check that the invitee exists). */
export async function newUser(peer: Peer, localpart: string): Promise<Requester> {
  const { userId } = await peer.app.ctx.users.accounts.createAccount({ localpart, password: null });
  return { userId, deviceId: "DEVICE", isAdmin: false, tokenHash: "" };
}

export interface Answer {
  status: number;
  json: any;
}

/** A signed request from `from` to `to`, answered as status and body whether or not it succeeded. */
export async function call(
  from: Peer,
  to: Peer,
  method: "GET" | "PUT" | "POST",
  path: string,
  body?: unknown,
  query?: Record<string, string | string[] | number | boolean>,
): Promise<Answer> {
  try {
    const json = await from.app.ctx.federation.client.request({ method, destination: to.name, path, body, query });
    return { status: 200, json };
  } catch (error) {
    if (error instanceof FederationRequestError) return { status: error.status, json: error.body };
    throw error;
  }
}

/** A request with a hand-written body (not JSON, say), signed by `from` as if it carried no content. */
export async function rawCall(from: Peer, to: Peer, method: "PUT" | "POST", path: string, text: string): Promise<Answer> {
  const authorization = signRequest({ method, uri: path, origin: from.name, destination: to.name, signingKey: from.app.ctx.signingKey });
  const response = await undiciRequest(`http://${to.name}${path}`, { method, headers: { authorization, "content-type": "application/json" }, body: text });
  return { status: response.statusCode, json: await response.body.json() };
}

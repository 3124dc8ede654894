import { request as undiciRequest } from "undici";
import type { DriverName } from "../../../homeserver/app/test-app.js";
import { localUser, startLoopbackServer, type LoopbackServer } from "../../../homeserver/app/testing/loopback-server.js";
import { FederationRequestError } from "../../client/errors.js";
import { federationPath } from "../../client/federation-client.js";
import { signRequest } from "../../x-matrix.js";

export { federationPath };

/** A homeserver listening on loopback, named `127.0.0.1:<port>` as peers reach it. */
export type Peer = LoopbackServer;

/** Without a federation sender unless asked: most route tests drive the other server by hand. */
export function startPeer(driver: DriverName, options: { federationSender?: boolean } = {}): Promise<Peer> {
  return startLoopbackServer(driver, { federationSender: options.federationSender ?? false });
}

export async function stopPeers(...peers: Array<Peer | undefined>): Promise<void> {
  await Promise.all(peers.map((peer) => peer?.app.dispose()));
}

/** A user of `peer` with an account (invites check that the invitee exists). */
export const newUser = localUser;

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

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startPeer, type PeerServer } from "./peer-server.js";

export interface ServerControl {
  /** POST `${url}/<id>/stop`, `/start` or `/restart`; answers once the server is down, or up and ready. */
  url: string;
  close(): Promise<void>;
}

const actions = ["stop", "start", "restart"] as const;
type Action = (typeof actions)[number];

/**
 * A loopback HTTP endpoint through which test files (other processes than the global setup) stop and start
 * each server of the pair on its own data. Operations run one at a time.
 */
export async function startServerControl(peers: PeerServer[]): Promise<ServerControl> {
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((request, response) => {
    const match = /^\/([a-z]+)\/([a-z]+)$/.exec(request.url ?? "");
    const peer = peers.find((p) => p.description.id === match?.[1]);
    const action = match?.[2] as Action | undefined;
    if (request.method !== "POST" || !peer || !action || !actions.includes(action)) {
      response.writeHead(404).end();
      return;
    }
    request.resume();
    const started = Date.now();
    const run = queue.then(() => perform(peer, action));
    queue = run.catch(() => undefined);
    run.then(
      () => reply(200, { [action]: true, took_ms: Date.now() - started }),
      (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
    );
    function reply(status: number, body: unknown) {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    }
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function perform(peer: PeerServer, action: Action): Promise<void> {
  if (action === "stop" || action === "restart") await peer.process.stop();
  if (action === "start" || action === "restart") {
    if (!peer.process.running) await startPeer(peer);
  }
}

import { Agent, fetch as undiciFetch } from "undici";
import type { ServerProcess } from "../../harness/server-process.js";
import type { PeerDescription } from "./provided-context.js";

/** A homeserver of the pair that the harness started and can stop and start again on the same data. */
export interface PeerServer {
  readonly description: PeerDescription;
  readonly process: ServerProcess;
  /** Removes what the harness created outside the work folder (temporary databases). */
  cleanup(): Promise<void>;
}

/** Starts the process and waits until both the client API and the federation key endpoint answer. */
export async function startPeer(peer: Pick<PeerServer, "description" | "process">, timeoutMs = 180_000): Promise<void> {
  await peer.process.start();
  try {
    await waitForServerKeys(peer.description, timeoutMs);
  } catch (error) {
    await peer.process.stop();
    throw new Error(
      `${peer.description.id} (${peer.description.kind}) answers the client API but not /_matrix/key/v2/server: ` +
        `${(error as Error).message}\n--- last lines of ${peer.description.logFile} ---\n${peer.process.logTail(40)}`,
    );
  }
}

// The federation listeners of the pair may use self-signed certificates.
const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

/** Polls GET /_matrix/key/v2/server on the federation URL until it names the expected server. */
export async function waitForServerKeys(peer: PeerDescription, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const response = await undiciFetch(`${peer.federationUrl}/_matrix/key/v2/server`, {
        dispatcher: insecureAgent,
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json().catch(() => null)) as { server_name?: string } | null;
      if (response.status === 200 && body?.server_name === peer.serverName) return;
      lastProblem = `answered ${response.status} ${JSON.stringify(body).slice(0, 200)}`;
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause;
      lastProblem = `${(error as Error).message}${cause?.message ? `: ${cause.message}` : ""}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${lastProblem})`);
}

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { createMyelinPeer } from "./myelin-peer.js";
import { startPeer, type PeerServer } from "./peer-server.js";
import "./provided-context.js";
import type { PairKind } from "./provided-context.js";
import { startServerControl } from "./server-control.js";
import { createSynapsePeer } from "./synapse-peer.js";

/**
 * Starts the federating pair for the run named by CONFORMANCE_FEDERATION_PEER: server "a" is Myelin and
 * server "b" a Myelin ("myelin") or a Synapse ("synapse"); "synapse-synapse" runs two Synapses, which shows the
 * scenarios hold for the reference implementation. Both on loopback with their own server names and data.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pairKind = readPairKind();
  const workDir = await mkdtemp(join(tmpdir(), `myelin-federation-${pairKind}-`));
  const keep = () => process.env.CONFORMANCE_KEEP_FILES === "1";
  const peers: PeerServer[] = [];
  try {
    for (const id of ["a", "b"] as const) await mkdir(join(workDir, id));
    // Synapse only federates over https; two Myelins use plain http unless CONFORMANCE_FEDERATION_TLS=1.
    const tls = pairKind !== "myelin" || process.env.CONFORMANCE_FEDERATION_TLS === "1";
    peers.push(
      pairKind === "synapse-synapse"
        ? await createSynapsePeer(join(workDir, "a"), "a")
        : await createMyelinPeer(join(workDir, "a"), { id: "a", tls }),
    );
    peers.push(
      pairKind === "myelin"
        ? await createMyelinPeer(join(workDir, "b"), { id: "b", tls })
        : await createSynapsePeer(join(workDir, "b"), "b"),
    );
    const started = await Promise.allSettled(peers.map((peer) => startPeer(peer)));
    const failures = started.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failures.length > 0) throw new AggregateError(failures.map((f) => f.reason), failures.map((f) => String(f.reason)).join("\n"));
  } catch (error) {
    await stopAll(peers);
    if (!keep()) await rm(workDir, { recursive: true, force: true });
    const note = keep() ? ` (files kept in ${workDir})` : " (CONFORMANCE_KEEP_FILES=1 keeps the files)";
    throw new Error(`[federation] could not start the pair (${pairKind})${note}`, { cause: error });
  }

  const control = await startServerControl(peers);
  project.provide("federationPeers", peers.map((p) => p.description));
  project.provide("federationPairKind", pairKind);
  project.provide("federationControlUrl", control.url);
  for (const { description: d } of peers) {
    console.log(`[federation] ${d.id}: ${d.kind} ${d.serverName}, client ${d.clientUrl}, federation ${d.federationUrl}, log ${d.logFile}`);
  }

  return async () => {
    await control.close();
    await stopAll(peers);
    const failed = project.vitest.state.getCountOfFailedTests() > 0 || project.vitest.state.getFailedFilepaths().length > 0;
    if (failed || keep()) {
      console.log(`[federation] kept ${workDir} (server logs: ${peers.map((p) => p.description.logFile).join(", ")})`);
    } else {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

async function stopAll(peers: PeerServer[]): Promise<void> {
  await Promise.all(
    peers.map(async (peer) => {
      await peer.process.stop();
      await peer.cleanup();
    }),
  );
}

const pairKinds: readonly PairKind[] = ["myelin", "synapse", "synapse-synapse"];

function readPairKind(): PairKind {
  const value = process.env.CONFORMANCE_FEDERATION_PEER ?? "myelin";
  if (!(pairKinds as readonly string[]).includes(value)) {
    throw new Error(`CONFORMANCE_FEDERATION_PEER must be one of ${pairKinds.join(", ")}; got "${value}"`);
  }
  return value as PairKind;
}

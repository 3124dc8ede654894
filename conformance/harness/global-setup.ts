import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import "./provided-context.js";
import { startRestartControl, type RestartControl } from "./restart-control.js";
import type { ServerTarget } from "./server-target.js";
import { startMyelinTarget } from "./targets/myelin-target.js";
import { startSynapseTarget } from "./targets/synapse-target.js";
import { waitUntilReady } from "./wait-until-ready.js";

const knownTargets = ["myelin", "synapse", "external"] as const;
type TargetKind = (typeof knownTargets)[number];

/**
 * Starts the homeserver named by CONFORMANCE_TARGET (myelin | synapse | external) once for the whole run,
 * plus a restart control endpoint when the harness owns the server process.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = readTargetKind();
  const workDir = kind === "external" ? null : await mkdtemp(join(tmpdir(), `myelin-conformance-${kind}-`));
  let target: ServerTarget;
  try {
    target = await startTarget(kind, workDir);
  } catch (error) {
    // The error already carries the tail of the server log; do not litter the temp folder on every failed start.
    const keep = process.env.CONFORMANCE_KEEP_FILES === "1";
    if (workDir && !keep) await rm(workDir, { recursive: true, force: true });
    const note = workDir && !keep ? " (its files were removed; CONFORMANCE_KEEP_FILES=1 keeps them)" : "";
    throw new Error(`[conformance] could not start the server under test (${kind})${note}`, { cause: error });
  }

  let control: RestartControl | null = null;
  const owned = target.process;
  if (owned) {
    control = await startRestartControl(async (signal) => {
      let signalledAt = Date.now();
      if (signal === "SIGKILL") signalledAt = await owned.kill();
      else await owned.stop();
      await owned.start();
      return signalledAt;
    });
  }

  project.provide("conformanceTarget", target.name);
  project.provide("conformanceServerKind", kind === "external" ? (process.env.CONFORMANCE_EXTERNAL_KIND ?? "unknown") : kind);
  project.provide("conformanceBaseUrl", target.baseUrl);
  project.provide("conformanceRestartUrl", control?.url ?? "");
  console.log(`[conformance] target ${target.name} at ${target.baseUrl}${workDir ? `, files in ${workDir}` : ""}`);

  return async () => {
    await control?.close();
    await target.dispose();
    if (!workDir) return;
    const failed = project.vitest.state.getCountOfFailedTests() > 0 || project.vitest.state.getFailedFilepaths().length > 0;
    if (failed || process.env.CONFORMANCE_KEEP_FILES === "1") {
      console.log(`[conformance] kept ${workDir} (server log: ${join(workDir, "server.log")})`);
    } else {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

function readTargetKind(): TargetKind {
  const value = process.env.CONFORMANCE_TARGET ?? "myelin";
  if (!(knownTargets as readonly string[]).includes(value)) {
    throw new Error(`CONFORMANCE_TARGET must be one of ${knownTargets.join(", ")}; got "${value}"`);
  }
  return value as TargetKind;
}

async function startTarget(kind: TargetKind, workDir: string | null): Promise<ServerTarget> {
  switch (kind) {
    case "synapse":
      return await startSynapseTarget(workDir!);
    case "myelin":
      return await startMyelinTarget(workDir!);
    case "external":
      return await useExternalServer();
  }
}

async function useExternalServer(): Promise<ServerTarget> {
  const url = process.env.CONFORMANCE_URL;
  if (!url) throw new Error("CONFORMANCE_TARGET=external needs CONFORMANCE_URL, e.g. http://127.0.0.1:8008");
  const baseUrl = url.replace(/\/+$/, "");
  await waitUntilReady(baseUrl, 30_000);
  return { name: `external (${baseUrl})`, baseUrl, workDir: null, process: null, dispose: async () => {} };
}

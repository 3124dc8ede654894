import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { synapseConfig, synapseLogConfig } from "../../synapse/synapse-config.js";
import { findFreePort } from "../free-port.js";
import { synapsePython } from "../repo-paths.js";
import { ServerProcess } from "../server-process.js";
import type { ServerTarget } from "../server-target.js";

/** Synapse from the conformance venv, on loopback, with its data in `workDir`; `overrides` go over the config. */
export async function startSynapseTarget(workDir: string, overrides: Record<string, unknown> = {}): Promise<ServerTarget> {
  if (!existsSync(synapsePython)) {
    throw new Error(
      `Synapse is not installed at ${synapsePython}; run "npm run conformance:synapse", which installs it`,
    );
  }
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  await mkdir(join(workDir, "media_store"), { recursive: true });
  const configPath = join(workDir, "homeserver.yaml");
  await writeFile(configPath, stringify({ ...synapseConfig(workDir, port), ...overrides }));
  await writeFile(join(workDir, "log.config.yaml"), stringify(synapseLogConfig()));

  const server = new ServerProcess({
    name: "synapse",
    command: synapsePython,
    args: ["-m", "synapse.app.homeserver", "-c", configPath],
    cwd: workDir,
    logFile: join(workDir, "server.log"),
    baseUrl,
    // The first start creates the sqlite schema, slow on a busy machine.
    startupTimeoutMs: 180_000,
  });
  await server.start();
  return { name: "synapse", baseUrl, workDir, process: server, dispose: () => server.stop() };
}

import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../harness/repo-paths.js";
import { ensureSynapseInstalled } from "../synapse/ensure-synapse-installed.js";

/**
 * `tsx conformance/federation/run.ts [myelin|synapse|all|synapse-synapse] [<vitest args>]`: the federation
 * scenarios against two Myelins, against Myelin + Synapse, or both one after the other (`all`, the default).
 * `synapse-synapse` runs them between two Synapses, to show that they test Matrix rather than Myelin's habits.
 */
const pairKinds = ["myelin", "synapse", "synapse-synapse"];
const args = process.argv.slice(2);
const selected = [...pairKinds, "all"].includes(args[0] ?? "") ? args.shift()! : (process.env.CONFORMANCE_FEDERATION_PEER ?? "all");
if (![...pairKinds, "all"].includes(selected)) {
  console.error(`the pair must be one of ${[...pairKinds, "all"].join(", ")}; got "${selected}"`);
  process.exit(2);
}
if (args[0] === "--") args.shift();
const kinds = selected === "all" ? ["myelin", "synapse"] : [selected];

let interrupted = false;
let current: ReturnType<typeof spawn> | null = null;
process.on("SIGINT", () => {
  interrupted = true;
});
process.on("SIGTERM", () => {
  interrupted = true;
  current?.kill("SIGTERM");
});

let exitCode = 0;
for (const kind of kinds) {
  if (interrupted) break;
  if (kind.includes("synapse")) ensureSynapseInstalled();
  console.log(`\n[federation] scenarios on the ${kind === "myelin" ? "myelin + myelin" : kind === "synapse" ? "myelin + synapse" : "synapse + synapse"} pair`);
  const code = await runVitest(kind, args);
  if (code !== 0) exitCode = code;
}
process.exit(exitCode);

async function runVitest(pairKind: string, vitestArgs: string[]): Promise<number> {
  const vitest = join(repoRoot, "node_modules", ".bin", "vitest");
  const child = spawn(vitest, ["run", "--config", "conformance/federation/vitest.config.ts", ...vitestArgs], {
    cwd: repoRoot,
    env: { ...process.env, CONFORMANCE_FEDERATION_PEER: pairKind },
    stdio: "inherit",
  });
  current = child;
  return await new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { synapsePython, synapseVenvDir } from "../harness/repo-paths.js";

/** Creates the venv and installs matrix-synapse into it, unless Synapse is already importable there. */
export function ensureSynapseInstalled(): void {
  if (existsSync(synapsePython) && run(synapsePython, ["-c", "import synapse"], "pipe") === 0) return;
  const python = process.env.PYTHON ?? findPython();
  console.log(`[conformance] installing Synapse into ${synapseVenvDir} (once)`);
  if (!existsSync(synapsePython)) mustRun(python, ["-m", "venv", synapseVenvDir]);
  mustRun(synapsePython, ["-m", "pip", "install", "--quiet", "--upgrade", "pip"]);
  mustRun(synapsePython, ["-m", "pip", "install", "--quiet", "matrix-synapse"]);
}

function findPython(): string {
  // Synapse needs Python 3.10 or newer.
  for (const candidate of ["python3.12", "python3.11", "python3.10", "python3"]) {
    if (run(candidate, ["-c", "import sys; assert sys.version_info >= (3, 10)"], "pipe") === 0) return candidate;
  }
  throw new Error("no Python 3.10+ found to create the Synapse venv (set PYTHON to one)");
}

function run(command: string, args: string[], stdio: "pipe" | "inherit"): number | null {
  return spawnSync(command, args, { stdio }).status;
}

function mustRun(command: string, args: string[]): void {
  const status = run(command, args, "inherit");
  if (status !== 0) throw new Error(`${command} ${args.join(" ")} failed with exit code ${status}`);
}

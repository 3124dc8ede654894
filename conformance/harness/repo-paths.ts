import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder holding package.json), independent of the caller's cwd. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where run-against-synapse.ts installs Synapse; `.venv/` is git-ignored. */
export const synapseVenvDir = resolve(repoRoot, ".venv", "synapse");
export const synapsePython = resolve(synapseVenvDir, "bin", "python");

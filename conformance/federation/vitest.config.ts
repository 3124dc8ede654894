import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

// Two homeservers federating on loopback (Myelin + Myelin, or Myelin + Synapse); run through ./run.ts.
export default defineConfig({
  root: repoRoot,
  test: {
    include: ["conformance/federation/scenarios/**/*.test.ts"],
    globalSetup: ["conformance/federation/harness/global-setup.ts"],
    setupFiles: ["conformance/support/spec/assert-no-spec-violations.ts"],
    // One pair for the run; files take turns so that a scenario stopping a server cannot cut off another file.
    fileParallelism: false,
    pool: "forks",
    testTimeout: 600_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
    reporters: ["verbose"],
  },
});

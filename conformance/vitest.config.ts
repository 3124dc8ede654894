import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// Black-box suite against one homeserver process, separate from the unit tests in ../vitest.config.ts.
export default defineConfig({
  root: repoRoot,
  test: {
    include: ["conformance/**/*.test.ts"],
    // The multi-server scenarios run with their own harness: conformance/federation/run.ts.
    exclude: [...configDefaults.exclude, "conformance/federation/**", "**/*.spec-data.test.ts"],
    globalSetup: ["conformance/harness/global-setup.ts"],
    setupFiles: ["conformance/support/spec/assert-no-spec-violations.ts"],
    // One server for the run; files take turns so that the restart scenario cannot cut off another file.
    fileParallelism: false,
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    reporters: ["verbose"],
  },
});

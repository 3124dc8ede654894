import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["homeserver/**/*.test.ts", "client-api/**/*.test.ts", "federation/**/*.test.ts", "schemas/**/*.test.ts"],
    // Tests that read the spec data beside the repository (../shared) run in `npm run test:spec`
    // (vitest.spec-data.config.ts): a user's clone has no ../shared, and `npm test` must pass there.
    exclude: [...configDefaults.exclude, "**/*.spec-data.test.ts"],
    // PGlite takes seconds to initialise; tests share one instance per file.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Test files share their worker's loaded modules (no test mocks modules or globals, and each file makes its
    // own servers and databases): loading the server's module graph anew for every file took a third of the run.
    isolate: false,
    // One migrated PGlite data directory per run, which every embedded test database starts from.
    globalSetup: ["homeserver/storage/testing/vitest-global-setup.ts"],
  },
});

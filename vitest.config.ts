import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["homeserver/**/*.test.ts", "client-api/**/*.test.ts", "federation/**/*.test.ts", "schemas/**/*.test.ts"],
    // PGlite takes seconds to initialise; tests share one instance per file.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});

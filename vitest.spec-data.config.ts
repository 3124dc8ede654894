import { defineConfig } from "vitest/config";

/**
 * `npm run test:spec`: the tests that need the spec data beside the repository (../shared/matrix-spec and
 * ../shared/test-vectors, or MATRIX_SPEC_DIR): state resolution vectors and the checks that the spec-schema
 * validators used by route tests and conformance scenarios can fail. Missing data is a failure here.
 */
export default defineConfig({
  test: {
    include: ["{homeserver,client-api,federation,schemas,conformance}/**/*.spec-data.test.ts"],
    env: { MYELIN_TEST_REQUIRE_SPEC: "1" },
    testTimeout: 30_000,
    pool: "forks",
  },
});

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The parts of the spec's dereferenced OpenAPI document that response checks read. */
export interface SpecOperation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
export type SpecPaths = Record<string, Record<string, SpecOperation>>;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Where the spec's JSON lives: the repository's sibling ../shared/matrix-spec, or MATRIX_SPEC_DIR. */
export function specDirectory(): string {
  return process.env.MATRIX_SPEC_DIR ?? resolve(repoRoot, "..", "shared", "matrix-spec");
}

let cached: SpecPaths | null | undefined;

/**
 * The client-server API's operations, read where the spec data lies and never copied into the repository.
 * A user's clone has nothing beside it: there the response-schema checks of route tests are off and
 * `npm test` still asserts every behaviour. CI sets MYELIN_TEST_REQUIRE_SPEC=1, which turns a missing document
 * into a failure, so the checks cannot silently stop running where they matter.
 */
export function clientServerSpec(): SpecPaths | null {
  if (cached !== undefined) return cached;
  const file = resolve(specDirectory(), "client-server.json");
  if (existsSync(file)) {
    cached = (JSON.parse(readFileSync(file, "utf8")) as { paths: SpecPaths }).paths;
  } else if (process.env.MYELIN_TEST_REQUIRE_SPEC === "1") {
    throw new Error(`MYELIN_TEST_REQUIRE_SPEC=1 but the spec document ${file} is missing (set MATRIX_SPEC_DIR or put shared/ beside the repository)`);
  } else {
    cached = null;
  }
  return cached;
}

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { repoRoot } from "../../harness/repo-paths.js";

/** The parts of the dereferenced OpenAPI document that response validation reads. */
export interface SpecOperation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
export interface SpecDocument {
  paths: Record<string, Record<string, SpecOperation>>;
}

/**
 * The shared spec data lives beside the repository (../shared/matrix-spec) and is read at run time, never
 * copied. MATRIX_SPEC_DIR overrides the folder. When it is absent, validation is off (the suite still runs).
 */
export function specDirectory(): string {
  return process.env.MATRIX_SPEC_DIR ?? resolve(repoRoot, "..", "shared", "matrix-spec");
}

let cached: SpecDocument | null | undefined;

export function loadClientServerSpec(): SpecDocument | null {
  if (cached !== undefined) return cached;
  const file = resolve(specDirectory(), "client-server.json");
  if (!existsSync(file)) {
    // CI requires it, so the check cannot silently stop running there.
    if (process.env.MYELIN_TEST_REQUIRE_SPEC === "1") throw new Error(`MYELIN_TEST_REQUIRE_SPEC=1 but ${file} is missing`);
    console.warn(`[conformance] ${file} not found: responses are not validated against the spec`);
    cached = null;
  } else {
    cached = JSON.parse(readFileSync(file, "utf8")) as SpecDocument;
  }
  return cached;
}

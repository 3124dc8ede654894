import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The documented sample at the repository root, so `generate-config` and the docs never drift apart. */
export const SAMPLE_CONFIG = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../config.sample.yaml"), "utf8");

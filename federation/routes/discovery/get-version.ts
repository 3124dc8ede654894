import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { GetVersionResponse } from "../../../schemas/federation/discovery/get-version.js";

const VERSION = (JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../../package.json"), "utf8")) as { version: string }).version;

/** GET /_matrix/federation/v1/version: unauthenticated, so peers and tools can identify us before trusting. */
export function registerGetVersion(app: FastifyInstance): void {
  app.get("/_matrix/federation/v1/version", { config: { federationAuth: false } }, async (): Promise<GetVersionResponse> => ({
    server: { name: "Myelin", version: VERSION },
  }));
}

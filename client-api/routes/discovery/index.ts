import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetCapabilities } from "./get-capabilities.js";
import { registerGetVersions } from "./get-versions.js";
import { registerGetWellknown } from "./get-wellknown.js";
import { registerGetServerWellknown } from "./get-server-wellknown.js";

export function registerDiscoveryRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetVersions(app, ctx);
  registerGetWellknown(app, ctx);
  registerGetServerWellknown(app, ctx);
  registerGetCapabilities(app, ctx);
}

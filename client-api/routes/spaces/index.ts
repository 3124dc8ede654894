import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetSpaceHierarchy } from "./get-space-hierarchy.js";

/** Spec: "Spaces". */
export function registerSpacesRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetSpaceHierarchy(app, ctx);
}

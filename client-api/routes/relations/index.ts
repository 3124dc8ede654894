import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetRelations } from "./get-relations.js";
import { registerGetThreads } from "./get-threads.js";

/** Event relationships: /relations (children of an event) and /threads (a room's thread roots). */
export function registerRelationsRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetRelations(app, ctx);
  registerGetThreads(app, ctx);
}

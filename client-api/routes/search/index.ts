import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerSearch } from "./search.js";

/** Server-side search: POST /search. */
export function registerSearchRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerSearch(app, ctx);
}

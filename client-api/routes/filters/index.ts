import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerDefineFilter } from "./define-filter.js";
import { registerGetFilter } from "./get-filter.js";

export function registerFiltersRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerDefineFilter(app, ctx);
  registerGetFilter(app, ctx);
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";

export function registerFiltersRoutes(_app: FastifyInstance, _ctx: ClientApiContext): void {}

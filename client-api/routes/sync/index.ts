import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";

export function registerSyncRoutes(_app: FastifyInstance, _ctx: ClientApiContext): void {}

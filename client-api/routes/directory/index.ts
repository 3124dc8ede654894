import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";

export function registerDirectoryRoutes(_app: FastifyInstance, _ctx: ClientApiContext): void {}

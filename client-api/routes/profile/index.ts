import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";

export function registerProfileRoutes(_app: FastifyInstance, _ctx: ClientApiContext): void {}

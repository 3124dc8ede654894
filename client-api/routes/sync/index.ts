import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetSync } from "./get-sync.js";
import { registerSyncWebSocket } from "./websocket/index.js";

export function registerSyncRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetSync(app, ctx);
  registerSyncWebSocket(app, ctx);
}

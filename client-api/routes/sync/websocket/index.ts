import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../../client-api-context.js";
import { registerSyncSocketRoute } from "./sync-socket-route.js";

export { syncWebSocketPluginOptions } from "./plugin-options.js";

/**
 * /sync over WebSocket. @fastify/websocket (registered by the HTTP app) recognises WebSocket routes by an
 * onRoute hook that exists only once the plugin has loaded, so the route is added inside a child plugin,
 * which loads after it.
 */
export function registerSyncWebSocket(app: FastifyInstance, ctx: ClientApiContext): void {
  if (!ctx.services.syncWebSocket.enabled) return;
  app.register(async (scope) => registerSyncSocketRoute(scope, ctx));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getVersionsRoute } from "../../../schemas/client/discovery/get-versions.js";

/** Every version Synapse lists up to the one we implement: clients pick features by the newest they share. */
export const SUPPORTED_VERSIONS = [
  "r0.0.1",
  "r0.1.0",
  "r0.2.0",
  "r0.3.0",
  "r0.4.0",
  "r0.5.0",
  "r0.6.0",
  "r0.6.1",
  ...Array.from({ length: 19 }, (_, i) => `v1.${i + 1}`),
];

export function registerGetVersions(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getVersionsRoute, async () => ({
    versions: SUPPORTED_VERSIONS,
    // /sync over WebSocket (docs/websocket-sync.md): clients look here before they try the socket.
    unstable_features: { "org.myelin.sync_ws": ctx.services.syncWebSocket.enabled },
  }));
}

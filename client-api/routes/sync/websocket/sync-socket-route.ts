import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../../client-api-context.js";
import { accessTokenOf } from "../../../http/auth.js";
import { defineRoute } from "../../../http/define-route.js";
import { errors } from "../../../../homeserver/errors.js";
import { syncWebSocketRoute } from "../../../../schemas/client/sync/sync-websocket.js";
import { HeartbeatMonitor } from "./heartbeat.js";
import { boundedDeflateOffers } from "./plugin-options.js";
import { SyncSocketSession, type SyncSocketServices } from "./sync-socket-session.js";

const FIRST_MESSAGE_TIMEOUT_MS = 30_000;

/**
 * GET /_matrix/client/unstable/org.myelin.sync_ws. The token is checked before the upgrade, like any request,
 * so a bad one gets the plain HTTP 401 (M_MISSING_TOKEN / M_UNKNOWN_TOKEN) and no socket is opened.
 */
export function registerSyncSocketRoute(app: FastifyInstance, ctx: ClientApiContext, options: { firstMessageTimeoutMs?: number } = {}): void {
  const config = ctx.services.syncWebSocket;
  const heartbeat = new HeartbeatMonitor(config.heartbeat_interval_ms);
  const services: SyncSocketServices = {
    http: app,
    sync: ctx.services.sync,
    auth: ctx.services.auth,
    heartbeat,
    config,
    maxWaitMs: ctx.services.maxSyncTimeoutMs,
    logger: ctx.services.logger,
    firstMessageTimeoutMs: options.firstMessageTimeoutMs ?? FIRST_MESSAGE_TIMEOUT_MS,
    pushes: new WeakMap(),
  };

  defineRoute(
    app,
    ctx.guards,
    syncWebSocketRoute,
    // A plain GET (no Upgrade header) is a client mistake; 426 says what to do instead.
    async () => {
      throw errors.unrecognized("This endpoint speaks WebSocket only: send an Upgrade request", 426);
    },
    {
      prepare: (request) => {
        const offers = request.raw.headers["sec-websocket-extensions"];
        if (offers !== undefined && config.compression.enabled) {
          const bounded = boundedDeflateOffers(offers);
          if (bounded === undefined) delete request.raw.headers["sec-websocket-extensions"];
          else request.raw.headers["sec-websocket-extensions"] = bounded;
        }
      },
      open: (socket, request, requester) => {
        // The session lives as long as the socket's listeners reference it.
        new SyncSocketSession(socket, requester, { accessToken: accessTokenOf(request)!, remoteAddress: request.ip }, services);
      },
    },
  );
}

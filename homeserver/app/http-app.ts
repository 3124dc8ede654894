import Fastify, { type FastifyInstance } from "fastify";
import type { AppContext } from "./app-context.js";
import { answerFrameworkError, installErrorHandling } from "./http/error-handler.js";
import { installJsonBodyParser } from "./http/json-body.js";
import { installValidation } from "./http/validation.js";
import { installCors } from "./http/cors.js";
import { registerClientApi } from "../../client-api/plugin.js";
import { clientApiServices } from "./client-api-services.js";
import fastifyWebsocket from "@fastify/websocket";
import { syncWebSocketPluginOptions } from "../../client-api/routes/sync/websocket/index.js";
import { registerFederationApi } from "../../federation/plugin.js";
import { federationApiServices } from "./federation-api-services.js";
import { installShutdownHandling } from "./http-shutdown.js";

// app/ is the composition root: the one place in homeserver/ that mounts the HTTP layers on the core.

export interface HttpAppOptions {
  resources: Array<"client" | "federation">;
  logger?: boolean | Record<string, unknown>;
  /** PEM certificate and key: the listener serves HTTPS (from `listeners[].tls`). */
  https?: { cert: string | Buffer; key: string | Buffer };
}

export function buildHttpApp(ctx: AppContext, options: HttpAppOptions): FastifyInstance {
  const serverOptions = {
    logger: options.logger ?? false,
    bodyLimit: ctx.config.max_request_body_bytes,
    // Matrix ids contain ':' and '@'; keep the default router but allow long ids.
    routerOptions: { maxParamLength: 1024 },
    // Requests refused while closing get a Matrix error (installShutdownHandling), not Fastify's own body.
    return503OnClosing: false,
    // URLs Fastify refuses before routing (undecodable percent-encoding, over-long parameters) get Matrix errors.
    frameworkErrors: answerFrameworkError,
  };
  // Fastify types an HTTPS server differently; the routes and hooks we add are the same for both.
  const app = options.https
    ? (Fastify({ ...serverOptions, https: options.https }) as unknown as FastifyInstance)
    : Fastify(serverOptions);
  installShutdownHandling(app);
  installValidation(app);
  installJsonBodyParser(app);
  installCors(app);
  installErrorHandling(app, ctx.logger);
  if (options.resources.includes("client") && ctx.config.sync.websocket.enabled) {
    app.register(fastifyWebsocket, syncWebSocketPluginOptions(ctx.config.sync.websocket, ctx.config.max_request_body_bytes));
  }
  if (options.resources.includes("client")) registerClientApi(app, clientApiServices(ctx));
  if (options.resources.includes("federation")) registerFederationApi(app, federationApiServices(ctx));
  return app;
}

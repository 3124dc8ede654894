import Fastify, { type FastifyInstance } from "fastify";
import type { AppContext } from "./app-context.js";
import { installErrorHandling } from "../../client-api/http/error-handler.js";
import { installJsonBodyParser } from "../../client-api/http/json-body.js";
import { installValidation } from "../../client-api/http/validation.js";
import { installCors } from "../../client-api/http/cors.js";
import { registerClientApi } from "../../client-api/plugin.js";

// app/ is the composition root: the one place in homeserver/ that mounts the HTTP layers on the core.

export interface HttpAppOptions {
  resources: Array<"client" | "federation">;
  logger?: boolean | Record<string, unknown>;
}

export function buildHttpApp(ctx: AppContext, options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: ctx.config.max_request_body_bytes,
    // Matrix ids contain ':' and '@'; keep the default router but allow long ids.
    routerOptions: { maxParamLength: 1024 },
  });
  installValidation(app);
  installJsonBodyParser(app);
  installCors(app);
  installErrorHandling(app, ctx.logger);
  if (options.resources.includes("client")) registerClientApi(app, ctx);
  return app;
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetUrlPreview } from "./get-url-preview.js";

export function registerMediaPreviewRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetUrlPreview(app, ctx);
}

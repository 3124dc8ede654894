import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerMediaConfig } from "./config.js";
import { registerDownloads } from "./download.js";
import { registerThumbnails } from "./thumbnail.js";
import { registerUploads } from "./upload.js";

/**
 * The media routes, in their own Fastify scope: uploads are files of any type, not JSON, so here alone the
 * body is handed to the route as the request stream (the upload counts and limits it as it goes to disk).
 */
export function registerMediaRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    registerMediaConfig(scope, ctx);
    registerUploads(scope, ctx);
    registerDownloads(scope, ctx);
    registerThumbnails(scope, ctx);
  });
}

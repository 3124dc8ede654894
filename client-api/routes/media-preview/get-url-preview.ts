import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getLegacyUrlPreviewRoute, getUrlPreviewRoute } from "../../../schemas/client/media-preview/get-url-preview.js";

/** GET /_matrix/client/v1/media/preview_url and its deprecated /_matrix/media/v3 twin. */
export function registerGetUrlPreview(app: FastifyInstance, ctx: ClientApiContext): void {
  for (const route of [getUrlPreviewRoute, getLegacyUrlPreviewRoute]) {
    defineRoute(app, ctx.guards, route, async ({ query }, requester) =>
      ctx.services.urlPreviews.preview(requester.userId, query.url, query.ts === undefined ? undefined : Number(query.ts)),
    );
  }
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { downloadNamedRoute, downloadRoute, legacyDownloadNamedRoute, legacyDownloadRoute } from "../../../schemas/client/media/media-routes.js";
import { sendMedia } from "./send-media.js";

/** The spec's default timeout_ms: how long a download waits for an id from /create to be uploaded. */
export const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}], and the deprecated unauthenticated
 * /_matrix/media/v3/download, which serves only media from before media.legacy_unauthenticated_cutoff.
 */
export function registerDownloads(app: FastifyInstance, ctx: ClientApiContext): void {
  for (const route of [downloadRoute, downloadNamedRoute]) {
    defineRoute(app, ctx.guards, route, async (request, _requester, reply) => {
      const { serverName, mediaId, fileName } = request.params;
      const file = await ctx.services.media.download(serverName, mediaId, { timeoutMs: request.query.timeout_ms ?? DEFAULT_TIMEOUT_MS, allowRemote: true });
      return sendMedia(request, reply, ctx.services.media, file, { fileName, cache: "private" });
    });
  }
  for (const route of [legacyDownloadRoute, legacyDownloadNamedRoute]) {
    defineRoute(app, ctx.guards, route, async (request, _requester, reply) => {
      const { serverName, mediaId, fileName } = request.params;
      const file = await ctx.services.media.download(serverName, mediaId, { timeoutMs: 0, allowRemote: false, legacy: true });
      return sendMedia(request, reply, ctx.services.media, file, { fileName, cache: "public" });
    });
  }
}

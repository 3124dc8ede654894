import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { legacyThumbnailRoute, thumbnailRoute, type ThumbnailQuery } from "../../../schemas/client/media/media-routes.js";
import type { ThumbnailRequest } from "../../../homeserver/media/media-thumbnails.js";
import { sendMedia } from "./send-media.js";
import { DEFAULT_TIMEOUT_MS } from "./download.js";

/** The spec's defaults: scale when no method is named, a still image unless animated=true. */
const thumbnailRequest = (query: ThumbnailQuery): ThumbnailRequest => ({
  width: query.width,
  height: query.height,
  method: query.method ?? "scale",
  animated: query.animated === true,
});

/** GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}, and the deprecated unauthenticated /_matrix/media/v3/thumbnail. */
export function registerThumbnails(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, thumbnailRoute, async (request, _requester, reply) => {
    const { serverName, mediaId } = request.params;
    const timeoutMs = request.query.timeout_ms ?? DEFAULT_TIMEOUT_MS;
    const file = await ctx.services.media.thumbnail(serverName, mediaId, thumbnailRequest(request.query), { timeoutMs, allowRemote: true });
    return sendMedia(request, reply, ctx.services.media, file, { cache: "private" });
  });
  defineRoute(app, ctx.guards, legacyThumbnailRoute, async (request, _requester, reply) => {
    const { serverName, mediaId } = request.params;
    const file = await ctx.services.media.thumbnail(serverName, mediaId, thumbnailRequest(request.query), { timeoutMs: 0, allowRemote: false, legacy: true });
    return sendMedia(request, reply, ctx.services.media, file, { cache: "public" });
  });
}

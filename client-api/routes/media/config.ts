import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getConfigRoute, getLegacyConfigRoute } from "../../../schemas/client/media/media-routes.js";

/** GET /_matrix/client/v1/media/config and the deprecated /_matrix/media/v3/config: the upload size limit. */
export function registerMediaConfig(app: FastifyInstance, ctx: ClientApiContext): void {
  for (const route of [getConfigRoute, getLegacyConfigRoute]) defineRoute(app, ctx.guards, route, async () => ctx.services.media.config());
}

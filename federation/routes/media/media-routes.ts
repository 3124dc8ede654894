import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  federationDownloadQuery,
  federationMediaParams,
  federationThumbnailQuery,
  type FederationDownloadQuery,
  type FederationMediaParams,
  type FederationThumbnailQuery,
} from "../../../schemas/federation/media/media-routes.js";
import { sendMultipartMedia } from "./multipart-response.js";

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * GET /_matrix/federation/v1/media/download/{mediaId} and /thumbnail/{mediaId}: our own media for a server
 * that signed its request (the federation auth hook). Copies of other servers' media are never served on.
 */
export function registerMediaRoutes(app: FastifyInstance, { serverName, media }: Pick<FederationApiServices, "serverName" | "media">): void {
  app.get<{ Params: FederationMediaParams; Querystring: FederationDownloadQuery }>(
    "/_matrix/federation/v1/media/download/:mediaId",
    { schema: { params: federationMediaParams, querystring: federationDownloadQuery } },
    async (request, reply) => {
      const file = await media.download(serverName, request.params.mediaId, { timeoutMs: request.query.timeout_ms ?? DEFAULT_TIMEOUT_MS, allowRemote: false });
      return sendMultipartMedia(reply, media, file);
    },
  );
  app.get<{ Params: FederationMediaParams; Querystring: FederationThumbnailQuery }>(
    "/_matrix/federation/v1/media/thumbnail/:mediaId",
    { schema: { params: federationMediaParams, querystring: federationThumbnailQuery } },
    async (request, reply) => {
      const { width, height, method, animated, timeout_ms: timeoutMs } = request.query;
      const file = await media.thumbnail(
        serverName,
        request.params.mediaId,
        { width, height, method: method ?? "scale", animated: animated === true },
        { timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS, allowRemote: false },
      );
      return sendMultipartMedia(reply, media, file);
    },
  );
}

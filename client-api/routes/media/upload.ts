import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { createRoute, uploadRoute, uploadToRoute } from "../../../schemas/client/media/media-routes.js";
import type { UploadInput } from "../../../homeserver/media/media-uploads.js";
import { errors } from "../../../homeserver/errors.js";

/** The request's body as the raw-body parser of the media routes left it: the stream itself, or nothing. */
function uploadInput(request: FastifyRequest, fileName: string | undefined): UploadInput {
  const lengthHeader = request.headers["content-length"];
  let declaredLength: number | undefined;
  if (lengthHeader !== undefined) {
    if (!/^\d{1,16}$/.test(lengthHeader)) throw errors.unknown("Content-Length is not a number of bytes");
    declaredLength = Number(lengthHeader);
  }
  const body = request.body as AsyncIterable<Uint8Array> | undefined;
  const contentType = request.headers["content-type"];
  return { body: body ?? new Uint8Array(0), contentType: contentType === "" ? undefined : contentType, fileName, declaredLength };
}

/** POST /_matrix/media/v3/upload, POST /_matrix/media/v1/create and PUT /_matrix/media/v3/upload/{serverName}/{mediaId}. */
export function registerUploads(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, uploadRoute, async (request, requester) => {
    const result = await ctx.services.media.upload(requester.userId, uploadInput(request, request.query.filename));
    ctx.userWasActive(requester.userId);
    return result;
  });
  defineRoute(app, ctx.guards, createRoute, async (_request, requester) => ctx.services.media.create(requester.userId));
  defineRoute(app, ctx.guards, uploadToRoute, async (request, requester) => {
    const { serverName, mediaId } = request.params;
    return ctx.services.media.uploadTo(requester.userId, serverName, mediaId, uploadInput(request, request.query.filename));
  });
}

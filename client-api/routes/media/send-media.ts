import type { FastifyReply, FastifyRequest } from "fastify";
import { errors } from "../../../homeserver/errors.js";
import { contentDisposition, MEDIA_SECURITY_HEADERS } from "../../../homeserver/media/content-headers.js";
import { requestedRange } from "../../../homeserver/media/byte-ranges.js";
import type { ServableMedia } from "../../../homeserver/media/media-deps.js";
import type { ClientApiServices } from "../../client-api-services.js";

/**
 * Answers with a stored file: its type, a disposition that is inline only for the spec's safe types, the
 * sandboxing headers, and one byte range when the request asks for one (206, or 416 past the end).
 * Authenticated media may be cached by the client only ("private"); it never changes, so for a long time.
 */
export async function sendMedia(
  request: FastifyRequest,
  reply: FastifyReply,
  media: Pick<ClientApiServices["media"], "open">,
  file: ServableMedia,
  options: { fileName?: string; cache: "private" | "public" },
): Promise<FastifyReply> {
  const range = requestedRange(request.headers.range, file.size);
  void reply
    .headers(MEDIA_SECURITY_HEADERS)
    .header("content-type", file.contentType)
    .header("content-disposition", contentDisposition(file.contentType, options.fileName ?? file.fileName))
    .header("cache-control", `${options.cache}, max-age=86400, immutable`)
    .header("accept-ranges", "bytes");
  if (range === "unsatisfiable") {
    return reply.code(416).header("content-range", `bytes */${file.size}`).header("content-type", "application/json").send(errors.unknown("Range not satisfiable", 416).toJSON());
  }
  const stream = await media.open(file, range);
  if (!stream) throw errors.notFound("Media not found");
  if (range) {
    return reply
      .code(206)
      .header("content-range", `bytes ${range.start}-${range.end}/${file.size}`)
      .header("content-length", range.end - range.start + 1)
      .send(stream);
  }
  return reply.header("content-length", file.size).send(stream);
}

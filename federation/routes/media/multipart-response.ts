import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { errors } from "../../../homeserver/errors.js";
import { contentDisposition } from "../../../homeserver/media/content-headers.js";
import type { ServableMedia } from "../../../homeserver/media/media-deps.js";
import type { FederationApiServices } from "../../federation-api-services.js";

/**
 * The answer of the federation media endpoints (spec v1.11): multipart/mixed, a first part of JSON metadata
 * (`{}`: none is defined yet) and a second part with the file, its type and its disposition. The file is
 * streamed from disk between the two; the whole length is known, so it is sent too.
 */
export async function sendMultipartMedia(reply: FastifyReply, media: Pick<FederationApiServices["media"], "open">, file: ServableMedia): Promise<FastifyReply> {
  const stream = await media.open(file);
  if (!stream) throw errors.notFound("Media not found");
  const boundary = randomBytes(16).toString("hex");
  const head = Buffer.from(
    `--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n` +
      `--${boundary}\r\nContent-Type: ${file.contentType}\r\nContent-Disposition: ${contentDisposition(file.contentType, file.fileName)}\r\n\r\n`,
    "latin1",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, "latin1");
  async function* parts() {
    yield head;
    for await (const chunk of stream!) yield chunk as Buffer;
    yield tail;
  }
  return reply
    .header("content-type", `multipart/mixed; boundary=${boundary}`)
    .header("content-length", head.length + file.size + tail.length)
    .send(Readable.from(parts()));
}

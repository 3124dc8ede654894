import type { FastifyInstance } from "fastify";

const FASTIFY_JSON = "application/json; charset=utf-8";

const isClientApiPath = (url: string) => url.startsWith("/_matrix/client/") || url.startsWith("/.well-known/matrix/client");

/**
 * Fastify labels every JSON reply `application/json; charset=utf-8`. Some clients compare the header with
 * `application/json` exactly, which is what the spec's examples and Synapse send (JSON is UTF-8 by
 * definition, RFC 8259), so every client-API reply, errors included, gets the plain type here.
 */
export function installJsonContentType(app: FastifyInstance): void {
  app.addHook("onSend", (request, reply, payload, done) => {
    if (reply.getHeader("content-type") === FASTIFY_JSON && isClientApiPath(request.url)) reply.header("content-type", "application/json");
    done(null, payload);
  });
}

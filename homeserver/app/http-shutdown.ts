import type { FastifyInstance } from "fastify";
import { errors } from "../errors.js";

/**
 * How long requests already being handled when shutdown starts get to finish before their connections are
 * cut. Writes take milliseconds; this only bounds a stuck one.
 */
const IN_FLIGHT_GRACE_MS = 10_000;

/**
 * Shutdown of one listener, run by `app.close()`. Node's server.close() stops accepting and closes the
 * connections idle at that moment, but a connection whose request is still running stays open after its
 * response (keep-alive) until Fastify's 72 s keepAliveTimeout, and Fastify refuses requests that still
 * arrive on open connections with a body of its own. So, once closing: every response says
 * `Connection: close`, requests arriving are refused with a Matrix error, and connections that became idle
 * are closed. Parked long-polls and sync sockets are answered by their own preClose hooks (routes/sync).
 */
export function installShutdownHandling(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    setTimeout(() => app.server.closeAllConnections(), IN_FLIGHT_GRACE_MS).unref();
    done();
  });
  app.addHook("onRequest", async () => {
    if (closing) throw errors.unknown("The server is shutting down; retry in a moment", 503);
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return payload;
  });
  // A response whose headers went out just before closing began kept its connection alive.
  app.addHook("onResponse", async () => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
  });
}

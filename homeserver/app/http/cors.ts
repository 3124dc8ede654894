import type { FastifyInstance } from "fastify";

/** The spec asks every client API response to allow browser clients from any origin. */
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "X-Requested-With, Content-Type, Authorization",
};

export function installCors(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    void reply.headers(CORS_HEADERS);
    if (request.method === "OPTIONS") return reply.status(204).send();
  });
}

import type { FastifyInstance } from "fastify";
import { errors } from "../../homeserver/errors.js";

/**
 * Matrix bodies are JSON whatever the Content-Type says (clients send none, or text/plain), so we parse
 * every body as JSON, as Synapse does. An empty body is "no body"; routes that need one fail validation.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(errors.notJson("Content not JSON"), undefined);
    }
  });
}

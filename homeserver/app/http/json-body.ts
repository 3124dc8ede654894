import type { FastifyInstance } from "fastify";
import { errors } from "../../errors.js";
import { jsonInputProblem } from "../../json-limits.js";

/** Refuses bytes that are not UTF-8 instead of silently turning them into U+FFFD. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A federation transaction carries many PDUs and EDUs from a peer: one bad event in it must be refused alone,
 * not make the peer resend the whole transaction for ever, so its parts are checked one by one where they are
 * handled (homeserver/rooms/remote/). Here only a depth that the request's signature check (canonical JSON,
 * recursive) can still walk safely; a PDU deeper than a client may send is refused on its own later.
 */
const TRANSACTION_PATH = /^\/_matrix\/federation\/v1\/send\//;
const TRANSACTION_LIMITS = { maxDepth: 512, allowNul: true };

/**
 * Matrix bodies are JSON whatever the Content-Type says (clients send none, or text/plain), so we parse
 * every body as JSON, as Synapse does. An empty body is "no body"; routes that need one fail validation.
 * Not UTF-8 or not JSON is M_NOT_JSON; JSON the server cannot keep (homeserver/json-limits.ts) is M_BAD_JSON,
 * before any route runs.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(errors.notJson("Content is not valid UTF-8"), undefined);
    }
    if (text.trim() === "") return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return done(errors.notJson("Content not JSON"), undefined);
    }
    const problem = jsonInputProblem(value, TRANSACTION_PATH.test(request.url) ? TRANSACTION_LIMITS : undefined);
    if (problem) return done(errors.badJson(problem), undefined);
    done(null, value);
  });
}

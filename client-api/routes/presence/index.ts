import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetPresence } from "./get-presence.js";
import { registerSetPresence } from "./set-presence.js";

export function registerPresenceRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerSetPresence(app, ctx);
  registerGetPresence(app, ctx);
}

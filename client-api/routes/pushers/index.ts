import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerGetPushers } from "./get-pushers.js";
import { registerSetPusher } from "./set-pusher.js";

export function registerPushersRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetPushers(app, ctx);
  registerSetPusher(app, ctx);
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerSetTyping } from "./set-typing.js";

export function registerTypingRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerSetTyping(app, ctx);
}

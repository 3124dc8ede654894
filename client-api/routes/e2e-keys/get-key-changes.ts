import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getKeyChangesRoute } from "../../../schemas/client/e2e-keys/get-key-changes.js";

export function registerGetKeyChanges(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getKeyChangesRoute, async ({ query }, requester) => ctx.services.keyChanges.between(requester.userId, query.from, query.to));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { claimKeysRoute } from "../../../schemas/client/e2e-keys/claim-keys.js";

export function registerClaimKeys(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, claimKeysRoute, async (request) => ctx.services.keyDistribution.claim(request.body));
}

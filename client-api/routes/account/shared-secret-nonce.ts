import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { sharedSecretNonceRoute } from "../../../schemas/client/account/shared-secret-register.js";

export function registerSharedSecretNonce(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, sharedSecretNonceRoute, async () => ({ nonce: ctx.services.sharedSecret.newNonce() }));
}

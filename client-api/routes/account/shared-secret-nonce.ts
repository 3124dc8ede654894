import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { SharedSecretNonceResponse } from "../../../schemas/client/account/shared-secret-register.js";

export function registerSharedSecretNonce(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_synapse/admin/v1/register", async (request): Promise<SharedSecretNonceResponse> => {
    ctx.rateLimit(request.ip);
    return { nonce: ctx.app.users.sharedSecret.newNonce() };
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  sharedSecretRegisterBodySchema,
  type SharedSecretRegisterRequest,
  type SharedSecretRegisterResponse,
} from "../../../schemas/client/account/shared-secret-register.js";

export function registerSharedSecretRegister(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post(
    "/_synapse/admin/v1/register",
    { schema: { body: sharedSecretRegisterBodySchema } },
    async (request): Promise<SharedSecretRegisterResponse> => {
      ctx.rateLimit(request.ip);
      return ctx.app.users.sharedSecret.register(request.body as SharedSecretRegisterRequest);
    },
  );
}

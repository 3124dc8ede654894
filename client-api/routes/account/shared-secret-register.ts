import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { sharedSecretRegisterRoute } from "../../../schemas/client/account/shared-secret-register.js";

export function registerSharedSecretRegister(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, sharedSecretRegisterRoute, async ({ body }) => ctx.services.sharedSecret.register(body));
}

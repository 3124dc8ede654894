import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import {
  registrationTokenValidityQuerySchema,
  type RegistrationTokenValidityQuery,
  type RegistrationTokenValidityResponse,
} from "../../../schemas/client/account/registration-token-validity.js";

export function registerRegistrationTokenValidity(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v1/register/m.login.registration_token/validity",
    { schema: { querystring: registrationTokenValidityQuerySchema } },
    async (request): Promise<RegistrationTokenValidityResponse> => {
      // The spec's 403 when registration (or tokens) are off; rate limited since it checks secrets.
      if (!ctx.app.config.registration.enabled || !ctx.app.config.registration.require_token) {
        throw errors.forbidden("Registration tokens are not in use on this server");
      }
      ctx.rateLimit(request.ip);
      const { token } = request.query as RegistrationTokenValidityQuery;
      return { valid: await ctx.app.users.accounts.isRegistrationTokenValid(token) };
    },
  );
}

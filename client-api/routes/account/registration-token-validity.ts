import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { registrationTokenValidityRoute } from "../../../schemas/client/account/registration-token-validity.js";

export function registerRegistrationTokenValidity(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, registrationTokenValidityRoute, async ({ query }) => {
    // The spec's 403 when registration (or tokens) are off.
    const { registration } = ctx.services;
    if (!registration.enabled || !registration.require_token) throw errors.forbidden("Registration tokens are not in use on this server");
    return { valid: await ctx.services.accounts.isRegistrationTokenValid(query.token) };
  });
}

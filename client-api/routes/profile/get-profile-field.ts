import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { getProfileFieldRoute } from "../../../schemas/client/profile/get-profile-field.js";
import { isStoredField } from "./profile-field.js";

export function registerGetProfileField(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getProfileFieldRoute, async ({ params }) => {
    const { userId, keyName } = params;
    const profile = await ctx.services.profiles.requireProfile(userId);
    const value = isStoredField(keyName) ? profile[keyName] : null;
    if (value === null) throw errors.notFound("Profile field not set");
    return { [keyName]: value };
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { PROFILE_FIELDS } from "../../../homeserver/users/profiles.js";
import { setProfileFieldRoute } from "../../../schemas/client/profile/set-profile-field.js";
import { isStoredField } from "./profile-field.js";

export function registerSetProfileField(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, setProfileFieldRoute, async ({ params, body }, requester) => {
    const { userId, keyName } = params;
    if (requester.userId !== userId) throw errors.forbidden("You can only change your own profile");
    if (!isStoredField(keyName)) throw errors.forbidden(`This server only stores ${PROFILE_FIELDS.join(" and ")}`);
    if (!(keyName in body)) throw errors.missingParam(`Missing key '${keyName}'`);
    const value = body[keyName];
    // null is accepted as "clear", which is what clients that predate DELETE send.
    if (value !== null && typeof value !== "string") throw errors.badJson(`${keyName} must be a string`);
    await ctx.services.profiles.setField(requester, userId, keyName, value);
    return {};
  });
}

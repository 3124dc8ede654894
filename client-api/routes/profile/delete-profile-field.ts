import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import { deleteProfileFieldRoute } from "../../../schemas/client/profile/delete-profile-field.js";
import { isStoredField } from "./profile-field.js";

export function registerDeleteProfileField(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, deleteProfileFieldRoute, async ({ params }, requester) => {
    const { userId, keyName } = params;
    if (requester.userId !== userId) throw errors.forbidden("You can only change your own profile");
    // The spec answers 200 for a field that does not exist, which every other key is here.
    if (isStoredField(keyName)) await ctx.services.profiles.setField(requester, userId, keyName, null);
    return {};
  });
}

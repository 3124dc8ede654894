import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import { PROFILE_FIELDS, type ProfileField } from "../../../homeserver/users/profiles.js";
import { deleteProfileFieldParamsSchema } from "../../../schemas/client/profile/delete-profile-field.js";
import type { ProfileFieldParams } from "../../../schemas/client/profile/profile-params.js";

export function registerDeleteProfileField(app: FastifyInstance, ctx: ClientApiContext): void {
  app.delete(
    "/_matrix/client/v3/profile/:userId/:keyName",
    { schema: { params: deleteProfileFieldParamsSchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { userId, keyName } = request.params as ProfileFieldParams;
      if (requester.userId !== userId) throw errors.forbidden("You can only change your own profile");
      // The spec answers 200 for a field that does not exist, which every other key is here.
      if (PROFILE_FIELDS.includes(keyName as ProfileField)) {
        await ctx.app.users.profiles.setField(requester, userId, keyName as ProfileField, null);
      }
      return {};
    },
  );
}

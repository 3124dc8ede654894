import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import { PROFILE_FIELDS, type ProfileField } from "../../../homeserver/users/profiles.js";
import {
  getProfileFieldParamsSchema,
  type GetProfileFieldResponse,
} from "../../../schemas/client/profile/get-profile-field.js";
import type { ProfileFieldParams } from "../../../schemas/client/profile/profile-params.js";

export function registerGetProfileField(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get(
    "/_matrix/client/v3/profile/:userId/:keyName",
    { schema: { params: getProfileFieldParamsSchema } },
    async (request): Promise<GetProfileFieldResponse> => {
      const { userId, keyName } = request.params as ProfileFieldParams;
      const profile = await ctx.app.users.profiles.requireProfile(userId);
      // Fields other than these are never stored here, so they "do not exist" for every user.
      const value = PROFILE_FIELDS.includes(keyName as ProfileField) ? profile[keyName as ProfileField] : null;
      if (value === null) throw errors.notFound("Profile field not set");
      return { [keyName]: value };
    },
  );
}

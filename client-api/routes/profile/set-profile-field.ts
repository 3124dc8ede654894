import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import { PROFILE_FIELDS, type ProfileField } from "../../../homeserver/users/profiles.js";
import {
  setProfileFieldBodySchema,
  setProfileFieldParamsSchema,
  type SetProfileFieldRequest,
} from "../../../schemas/client/profile/set-profile-field.js";
import type { ProfileFieldParams } from "../../../schemas/client/profile/profile-params.js";

export function registerSetProfileField(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/profile/:userId/:keyName",
    { schema: { params: setProfileFieldParamsSchema, body: setProfileFieldBodySchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { userId, keyName } = request.params as ProfileFieldParams;
      if (requester.userId !== userId) throw errors.forbidden("You can only change your own profile");
      if (!PROFILE_FIELDS.includes(keyName as ProfileField)) {
        throw errors.forbidden(`This server only stores ${PROFILE_FIELDS.join(" and ")}`);
      }
      const body = request.body as SetProfileFieldRequest;
      if (!(keyName in body)) throw errors.missingParam(`Missing key '${keyName}'`);
      const value = body[keyName];
      // null is accepted as "clear", which is what clients that predate DELETE send.
      if (value !== null && typeof value !== "string") throw errors.badJson(`${keyName} must be a string`);
      await ctx.app.users.profiles.setField(requester, userId, keyName as ProfileField, value);
      return {};
    },
  );
}

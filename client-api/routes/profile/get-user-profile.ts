import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  getUserProfileParamsSchema,
  type GetUserProfileResponse,
} from "../../../schemas/client/profile/get-user-profile.js";
import type { ProfileParams } from "../../../schemas/client/profile/profile-params.js";

export function registerGetUserProfile(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/profile/:userId", { schema: { params: getUserProfileParamsSchema } }, async (request): Promise<GetUserProfileResponse> => {
    const profile = await ctx.app.users.profiles.requireProfile((request.params as ProfileParams).userId);
    const body: GetUserProfileResponse = {};
    if (profile.displayname !== null) body.displayname = profile.displayname;
    if (profile.avatar_url !== null) body.avatar_url = profile.avatar_url;
    return body;
  });
}

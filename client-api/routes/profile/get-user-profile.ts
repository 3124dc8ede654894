import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getUserProfileRoute, type GetUserProfileResponse } from "../../../schemas/client/profile/get-user-profile.js";

export function registerGetUserProfile(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getUserProfileRoute, async ({ params }) => {
    const profile = await ctx.services.profiles.requireProfile(params.userId);
    const body: GetUserProfileResponse = {};
    if (profile.displayname !== null) body.displayname = profile.displayname;
    if (profile.avatar_url !== null) body.avatar_url = profile.avatar_url;
    return body;
  });
}

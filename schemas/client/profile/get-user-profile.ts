import type { ClientRoute } from "../client-route.js";
import { profileParamsSchema, type ProfileParams } from "./profile-params.js";

/** GET /_matrix/client/v3/profile/{userId} (getUserProfile). */
export interface GetUserProfileResponse {
  displayname?: string;
  avatar_url?: string;
  [field: string]: unknown;
}

export const getUserProfileRoute: ClientRoute<"none", { params: ProfileParams; response: GetUserProfileResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/profile/:userId",
  auth: "none",
  rateLimited: false,
  params: profileParamsSchema,
};

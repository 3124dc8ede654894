/** GET /_matrix/client/v3/profile/{userId} (getUserProfile). */
export interface GetUserProfileResponse {
  displayname?: string;
  avatar_url?: string;
  [field: string]: unknown;
}

export { profileParamsSchema as getUserProfileParamsSchema } from "./profile-params.js";

import type { ClientRoute } from "../client-route.js";
import { profileFieldParamsSchema, type ProfileFieldParams } from "./profile-params.js";

/** DELETE /_matrix/client/v3/profile/{userId}/{keyName} (deleteProfileField): answers {}. */
export const deleteProfileFieldRoute: ClientRoute<"required", { params: ProfileFieldParams; response: Record<string, never> }> = {
  method: "DELETE",
  path: "/_matrix/client/v3/profile/:userId/:keyName",
  auth: "required",
  rateLimited: true,
  params: profileFieldParamsSchema,
};

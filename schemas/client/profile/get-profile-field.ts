import type { ClientRoute } from "../client-route.js";
import { profileFieldParamsSchema, type ProfileFieldParams } from "./profile-params.js";

/** GET /_matrix/client/v3/profile/{userId}/{keyName} (getProfileField): `{ [keyName]: value }`. */
export type GetProfileFieldResponse = Record<string, unknown>;

export const getProfileFieldRoute: ClientRoute<"none", { params: ProfileFieldParams; response: GetProfileFieldResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/profile/:userId/:keyName",
  auth: "none",
  rateLimited: false,
  params: profileFieldParamsSchema,
};

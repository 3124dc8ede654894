import type { ClientRoute } from "../client-route.js";
import { profileFieldParamsSchema, type ProfileFieldParams } from "./profile-params.js";

/** PUT /_matrix/client/v3/profile/{userId}/{keyName} (setProfileField): body `{ [keyName]: value }`. */
export type SetProfileFieldRequest = Record<string, unknown>;

export const setProfileFieldBodySchema = {
  type: "object",
  minProperties: 1,
} as const;

export const setProfileFieldRoute: ClientRoute<"required", { params: ProfileFieldParams; body: SetProfileFieldRequest; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/profile/:userId/:keyName",
  auth: "required",
  rateLimited: true,
  params: profileFieldParamsSchema,
  body: setProfileFieldBodySchema,
};

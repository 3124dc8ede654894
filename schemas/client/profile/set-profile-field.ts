/** PUT /_matrix/client/v3/profile/{userId}/{keyName} (setProfileField): body `{ [keyName]: value }`. */
export type SetProfileFieldRequest = Record<string, unknown>;

export { profileFieldParamsSchema as setProfileFieldParamsSchema } from "./profile-params.js";

export const setProfileFieldBodySchema = {
  type: "object",
  minProperties: 1,
} as const;

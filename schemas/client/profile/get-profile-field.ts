/** GET /_matrix/client/v3/profile/{userId}/{keyName} (getProfileField): `{ [keyName]: value }`. */
export type GetProfileFieldResponse = Record<string, unknown>;

export { profileFieldParamsSchema as getProfileFieldParamsSchema } from "./profile-params.js";

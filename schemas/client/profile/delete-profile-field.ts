/** DELETE /_matrix/client/v3/profile/{userId}/{keyName} (deleteProfileField): answers {}. */
export { profileFieldParamsSchema as deleteProfileFieldParamsSchema } from "./profile-params.js";

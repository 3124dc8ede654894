/** DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag} (deleteRoomTag): answers {}. */
export { roomTagParamsSchema as deleteRoomTagParamsSchema } from "./account-data-params.js";

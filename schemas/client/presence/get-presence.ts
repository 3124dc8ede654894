/** GET /_matrix/client/v3/presence/{userId}/status (getPresence): the user's presence, without user_id. */
export type { PresenceContent as GetPresenceResponse } from "./presence-content.js";

export { presenceParamsSchema as getPresenceParamsSchema } from "./presence-params.js";

import type { ClientRoute } from "../client-route.js";
import type { PresenceContent } from "./presence-content.js";
import { presenceParamsSchema, type PresenceParams } from "./presence-params.js";

/** GET /_matrix/client/v3/presence/{userId}/status (getPresence): the user's presence, without user_id. */
export type { PresenceContent as GetPresenceResponse } from "./presence-content.js";

export const getPresenceRoute: ClientRoute<"required", { params: PresenceParams; response: PresenceContent }> = {
  method: "GET",
  path: "/_matrix/client/v3/presence/:userId/status",
  auth: "required",
  rateLimited: false,
  params: presenceParamsSchema,
};

import type { ClientRoute } from "../client-route.js";
import { PRESENCE_VALUES, type PresenceValue } from "./presence-content.js";
import { presenceParamsSchema, type PresenceParams } from "./presence-params.js";

/** PUT /_matrix/client/v3/presence/{userId}/status (setPresence): answers {}. */
export interface SetPresenceRequest {
  presence: PresenceValue;
  status_msg?: string;
}

/** Like Synapse, keys other than these two are refused rather than ignored. */
export const setPresenceBodySchema = {
  type: "object",
  required: ["presence"],
  additionalProperties: false,
  properties: {
    presence: { enum: PRESENCE_VALUES },
    status_msg: { type: "string" },
  },
} as const;

export const setPresenceRoute: ClientRoute<"required", { params: PresenceParams; body: SetPresenceRequest; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/presence/:userId/status",
  auth: "required",
  rateLimited: true,
  params: presenceParamsSchema,
  body: setPresenceBodySchema,
};

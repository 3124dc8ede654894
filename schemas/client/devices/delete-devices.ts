import type { ClientRoute } from "../client-route.js";
import { authenticationDataSchema, type AuthenticationData } from "../account/auth-data.js";

/** POST /_matrix/client/v3/delete_devices (deleteDevices). */
export interface DeleteDevicesRequest {
  devices: string[];
  auth?: AuthenticationData;
}

export const deleteDevicesBodySchema = {
  type: "object",
  required: ["devices"],
  properties: {
    devices: { type: "array", items: { type: "string" } },
    auth: authenticationDataSchema,
  },
} as const;

export const deleteDevicesRoute: ClientRoute<"required", { body: DeleteDevicesRequest; response: Record<string, never> }> = {
  method: "POST",
  path: "/_matrix/client/v3/delete_devices",
  auth: "required",
  rateLimited: true,
  body: deleteDevicesBodySchema,
};

import type { ClientRoute } from "../client-route.js";
import type { JsonObject, JsonValue } from "../common.js";
import { authenticationDataSchema, type AuthenticationData } from "../account/auth-data.js";
import { deviceParamsSchema, type DeviceParams } from "./device-params.js";

/** DELETE /_matrix/client/v3/devices/{deviceId} (deleteDevice). */
export interface DeleteDeviceRequest {
  auth?: AuthenticationData;
}

/**
 * No top-level `type`: the spec requires a body, but clients (and Synapse) treat a missing one as `{}`
 * when asking for the UIA flows, so an absent body must reach the handler.
 */
export const deleteDeviceBodySchema = {
  properties: { auth: authenticationDataSchema },
} as const;

/** What reaches the handler: the schema checks `auth` only in an object, so any other JSON (or none) gets through. */
export type DeleteDeviceBody = DeleteDeviceRequest | Exclude<JsonValue, JsonObject> | undefined;

export const deleteDeviceRoute: ClientRoute<"required", { params: DeviceParams; body: DeleteDeviceBody; response: Record<string, never> }> = {
  method: "DELETE",
  path: "/_matrix/client/v3/devices/:deviceId",
  auth: "required",
  rateLimited: true,
  params: deviceParamsSchema,
  body: deleteDeviceBodySchema,
};

import { authenticationDataSchema, type AuthenticationData } from "../account/auth-data.js";

/** DELETE /_matrix/client/v3/devices/{deviceId} (deleteDevice). */
export interface DeleteDeviceRequest {
  auth?: AuthenticationData;
}

export { deviceParamsSchema as deleteDeviceParamsSchema } from "./device-params.js";

/**
 * No top-level `type`: the spec requires a body, but clients (and Synapse) treat a missing one as `{}`
 * when asking for the UIA flows, so an absent body must reach the handler.
 */
export const deleteDeviceBodySchema = {
  properties: { auth: authenticationDataSchema },
} as const;

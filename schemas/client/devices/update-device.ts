import type { ClientRoute } from "../client-route.js";
import { deviceParamsSchema, type DeviceParams } from "./device-params.js";

/** PUT /_matrix/client/v3/devices/{deviceId} (updateDevice). */
export interface UpdateDeviceRequest {
  display_name?: string;
}

export const updateDeviceBodySchema = {
  type: "object",
  properties: { display_name: { type: "string" } },
} as const;

export const updateDeviceRoute: ClientRoute<"required", { params: DeviceParams; body: UpdateDeviceRequest; response: Record<string, never> }> = {
  method: "PUT",
  path: "/_matrix/client/v3/devices/:deviceId",
  auth: "required",
  rateLimited: true,
  params: deviceParamsSchema,
  body: updateDeviceBodySchema,
};

/** PUT /_matrix/client/v3/devices/{deviceId} (updateDevice). */
export interface UpdateDeviceRequest {
  display_name?: string;
}

export { deviceParamsSchema as updateDeviceParamsSchema } from "./device-params.js";

export const updateDeviceBodySchema = {
  type: "object",
  properties: { display_name: { type: "string" } },
} as const;

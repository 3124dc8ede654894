import type { ClientRoute } from "../client-route.js";
import type { Device } from "./get-devices.js";
import { deviceParamsSchema, type DeviceParams } from "./device-params.js";

/** GET /_matrix/client/v3/devices/{deviceId} (getDevice): answers a Device (see get-devices.ts). */
export type { Device as GetDeviceResponse } from "./get-devices.js";

export const getDeviceRoute: ClientRoute<"required", { params: DeviceParams; response: Device }> = {
  method: "GET",
  path: "/_matrix/client/v3/devices/:deviceId",
  auth: "required",
  rateLimited: false,
  params: deviceParamsSchema,
};

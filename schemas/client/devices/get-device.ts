/** GET /_matrix/client/v3/devices/{deviceId} (getDevice): answers a Device (see get-devices.ts). */
export type { Device as GetDeviceResponse } from "./get-devices.js";
export { deviceParamsSchema as getDeviceParamsSchema } from "./device-params.js";

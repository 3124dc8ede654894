import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/devices (getDevices). */
export interface Device {
  device_id: string;
  display_name?: string;
  last_seen_ip?: string;
  last_seen_ts?: number;
}

export interface GetDevicesResponse {
  devices: Device[];
}

export const getDevicesRoute: ClientRoute<"required", { response: GetDevicesResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/devices",
  auth: "required",
  rateLimited: false,
};

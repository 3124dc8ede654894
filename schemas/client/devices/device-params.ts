/** The `{deviceId}` path parameter of /devices/{deviceId}. */
export interface DeviceParams {
  deviceId: string;
}

export const deviceParamsSchema = {
  type: "object",
  required: ["deviceId"],
  properties: { deviceId: { type: "string", minLength: 1 } },
} as const;

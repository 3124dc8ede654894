import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { getDeviceParamsSchema, type GetDeviceResponse } from "../../../schemas/client/devices/get-device.js";
import type { DeviceParams } from "../../../schemas/client/devices/device-params.js";

export function registerGetDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/devices/:deviceId", { schema: { params: getDeviceParamsSchema } }, async (request): Promise<GetDeviceResponse> => {
    const requester = await ctx.auth(request);
    return ctx.app.users.devices.get(requester.userId, (request.params as DeviceParams).deviceId);
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import {
  updateDeviceBodySchema,
  updateDeviceParamsSchema,
  type UpdateDeviceRequest,
} from "../../../schemas/client/devices/update-device.js";
import type { DeviceParams } from "../../../schemas/client/devices/device-params.js";

export function registerUpdateDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  app.put(
    "/_matrix/client/v3/devices/:deviceId",
    { schema: { params: updateDeviceParamsSchema, body: updateDeviceBodySchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      const { deviceId } = request.params as DeviceParams;
      await ctx.app.users.devices.update(requester.userId, deviceId, (request.body as UpdateDeviceRequest).display_name);
      return {};
    },
  );
}

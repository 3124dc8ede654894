import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { errors } from "../../../homeserver/errors.js";
import {
  deleteDeviceBodySchema,
  deleteDeviceParamsSchema,
  type DeleteDeviceRequest,
} from "../../../schemas/client/devices/delete-device.js";
import type { DeviceParams } from "../../../schemas/client/devices/device-params.js";

export function registerDeleteDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  app.delete(
    "/_matrix/client/v3/devices/:deviceId",
    { schema: { params: deleteDeviceParamsSchema, body: deleteDeviceBodySchema } },
    async (request) => {
      const requester = await ctx.auth(request);
      ctx.rateLimit(requester.userId);
      // A missing body asks for the UIA flows (as older clients do); any other non-object is malformed.
      const body = request.body ?? {};
      if (typeof body !== "object" || Array.isArray(body)) throw errors.badJson("Body must be a JSON object");
      const { deviceId } = request.params as DeviceParams;
      await ctx.app.users.devices.deleteDevices(requester, [deviceId], (body as DeleteDeviceRequest).auth);
      return {};
    },
  );
}

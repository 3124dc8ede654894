import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { updateDeviceRoute } from "../../../schemas/client/devices/update-device.js";

export function registerUpdateDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, updateDeviceRoute, async ({ params, body }, requester) => {
    await ctx.services.devices.update(requester.userId, params.deviceId, body.display_name);
    return {};
  });
}

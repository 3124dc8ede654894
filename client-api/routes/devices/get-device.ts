import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getDeviceRoute } from "../../../schemas/client/devices/get-device.js";

export function registerGetDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getDeviceRoute, async ({ params }, requester) => ctx.services.devices.get(requester.userId, params.deviceId));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { deleteDevicesRoute } from "../../../schemas/client/devices/delete-devices.js";

export function registerDeleteDevices(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, deleteDevicesRoute, async ({ body }, requester) => {
    await ctx.services.devices.deleteDevices(requester, body.devices, body.auth);
    return {};
  });
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { deleteDevicesBodySchema, type DeleteDevicesRequest } from "../../../schemas/client/devices/delete-devices.js";

export function registerDeleteDevices(app: FastifyInstance, ctx: ClientApiContext): void {
  app.post("/_matrix/client/v3/delete_devices", { schema: { body: deleteDevicesBodySchema } }, async (request) => {
    const requester = await ctx.auth(request);
    ctx.rateLimit(requester.userId);
    const body = request.body as DeleteDevicesRequest;
    await ctx.app.users.devices.deleteDevices(requester, body.devices, body.auth);
    return {};
  });
}

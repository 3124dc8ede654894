import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { GetDevicesResponse } from "../../../schemas/client/devices/get-devices.js";

export function registerGetDevices(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/_matrix/client/v3/devices", async (request): Promise<GetDevicesResponse> => {
    const requester = await ctx.auth(request);
    return { devices: await ctx.app.users.devices.list(requester.userId) };
  });
}

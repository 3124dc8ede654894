import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getDevicesRoute } from "../../../schemas/client/devices/get-devices.js";

export function registerGetDevices(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getDevicesRoute, async (_request, requester) => ({ devices: await ctx.services.devices.list(requester.userId) }));
}

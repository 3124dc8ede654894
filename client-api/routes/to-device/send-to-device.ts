import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { sendToDeviceRoute } from "../../../schemas/client/to-device/send-to-device.js";

export function registerSendToDevice(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, sendToDeviceRoute, async ({ params, body }, requester) => {
    await ctx.services.toDevice.send(requester, params.eventType, params.txnId, body.messages);
    return {};
  });
}

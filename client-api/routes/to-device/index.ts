import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerSendToDevice } from "./send-to-device.js";

/** Send-to-device messaging: PUT /sendToDevice (delivery is /sync's to_device). */
export function registerToDeviceRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerSendToDevice(app, ctx);
}

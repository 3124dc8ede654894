import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerDeleteDevice } from "./delete-device.js";
import { registerDeleteDevices } from "./delete-devices.js";
import { registerGetDevice } from "./get-device.js";
import { registerGetDevices } from "./get-devices.js";
import { registerUpdateDevice } from "./update-device.js";

export function registerDevicesRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetDevices(app, ctx);
  registerGetDevice(app, ctx);
  registerUpdateDevice(app, ctx);
  registerDeleteDevice(app, ctx);
  registerDeleteDevices(app, ctx);
}

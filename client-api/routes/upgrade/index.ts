import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerUpgradeRoom } from "./upgrade-room.js";

/** Spec: "Room upgrades". */
export function registerUpgradeRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerUpgradeRoom(app, ctx);
}

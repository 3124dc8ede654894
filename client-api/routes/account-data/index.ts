import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerDeleteRoomTag } from "./delete-room-tag.js";
import { registerGetAccountData } from "./get-account-data.js";
import { registerGetAccountDataPerRoom } from "./get-account-data-per-room.js";
import { registerGetRoomTags } from "./get-room-tags.js";
import { registerSetAccountData } from "./set-account-data.js";
import { registerSetAccountDataPerRoom } from "./set-account-data-per-room.js";
import { registerSetRoomTag } from "./set-room-tag.js";

export function registerAccountDataRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetAccountData(app, ctx);
  registerSetAccountData(app, ctx);
  registerGetAccountDataPerRoom(app, ctx);
  registerSetAccountDataPerRoom(app, ctx);
  registerGetRoomTags(app, ctx);
  registerSetRoomTag(app, ctx);
  registerDeleteRoomTag(app, ctx);
}

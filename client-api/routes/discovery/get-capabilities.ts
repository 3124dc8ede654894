import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getCapabilitiesRoute } from "../../../schemas/client/discovery/get-capabilities.js";
import { roomVersionsCapability } from "../../../homeserver/events/room-versions.js";

export function registerGetCapabilities(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getCapabilitiesRoute, async () => ({
    capabilities: {
      "m.change_password": { enabled: true },
      "m.room_versions": roomVersionsCapability(ctx.services.defaultRoomVersion),
      "m.set_displayname": { enabled: true },
      "m.set_avatar_url": { enabled: true },
      "m.3pid_changes": { enabled: false },
      "m.get_login_token": { enabled: false },
      // Only these two fields are stored; naming them tells clients not to offer custom fields.
      "m.profile_fields": { enabled: true, allowed: ["displayname", "avatar_url"] },
    },
  }));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerDeleteProfileField } from "./delete-profile-field.js";
import { registerGetProfileField } from "./get-profile-field.js";
import { registerGetUserProfile } from "./get-user-profile.js";
import { registerSetProfileField } from "./set-profile-field.js";

export function registerProfileRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerGetUserProfile(app, ctx);
  registerGetProfileField(app, ctx);
  registerSetProfileField(app, ctx);
  registerDeleteProfileField(app, ctx);
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { getWellknownRoute, type DiscoveryInformation } from "../../../schemas/client/discovery/get-wellknown.js";

export function wellKnownOf(publicBaseUrl: string): DiscoveryInformation {
  return { "m.homeserver": { base_url: publicBaseUrl } };
}

export function registerGetWellknown(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getWellknownRoute, async () => wellKnownOf(ctx.services.publicBaseUrl));
}

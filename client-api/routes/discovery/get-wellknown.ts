import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import type { DiscoveryInformation } from "../../../schemas/client/discovery/get-wellknown.js";

export function wellKnownOf(publicBaseUrl: string): DiscoveryInformation {
  return { "m.homeserver": { base_url: publicBaseUrl } };
}

export function registerGetWellknown(app: FastifyInstance, ctx: ClientApiContext): void {
  app.get("/.well-known/matrix/client", async (): Promise<DiscoveryInformation> => wellKnownOf(ctx.app.config.public_baseurl));
}

import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { defineRoute } from "../../http/define-route.js";
import { errors } from "../../../homeserver/errors.js";
import type { WellKnownConfig } from "../../../homeserver/core/config.js";
import { getServerWellknownRoute } from "../../../schemas/client/discovery/get-server-wellknown.js";

/** well_known.server, or with serve_server public_baseurl's host and port (443 by default, as Synapse). */
export function serverDelegationOf(wellKnown: WellKnownConfig, publicBaseUrl: string): string | undefined {
  if (wellKnown.server !== null) return wellKnown.server;
  if (!wellKnown.serve_server) return undefined;
  const url = new URL(publicBaseUrl);
  return `${url.hostname}:${url.port || "443"}`;
}

export function registerGetServerWellknown(app: FastifyInstance, ctx: ClientApiContext): void {
  defineRoute(app, ctx.guards, getServerWellknownRoute, async () => {
    const server = serverDelegationOf(ctx.services.wellKnown, ctx.services.publicBaseUrl);
    if (server === undefined) throw errors.notFound(".well-known/matrix/server is not served here");
    return { "m.server": server };
  });
}

import type { FastifyInstance } from "fastify";
import type { AppContext } from "../homeserver/app/app-context.js";
import { installFederationAuth } from "./auth/federation-auth.js";
import { registerGetVersion } from "./routes/discovery/get-version.js";
import { registerGetServerKey } from "./routes/keys/get-server-key.js";
import { registerQueryKeys } from "./routes/keys/query-keys.js";

/**
 * Mounts `/_matrix/federation/*` and `/_matrix/key/*`. The auth hook goes first: every federation route
 * registered after it needs a valid X-Matrix signature unless it opts out with `config.federationAuth: false`.
 */
export function registerFederationApi(app: FastifyInstance, ctx: AppContext): void {
  installFederationAuth(app, { serverName: ctx.serverName, serverKeys: ctx.serverKeys, clock: ctx.clock });
  // A signed request from a peer proves it is up: let the sender retry it now instead of after its backoff.
  app.addHook("preHandler", async (request) => {
    if (request.federationOrigin) ctx.federation.sender?.peerIsUp(request.federationOrigin);
  });
  registerGetVersion(app);
  registerGetServerKey(app, ctx);
  registerQueryKeys(app, ctx);
}

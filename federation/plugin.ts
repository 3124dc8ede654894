import type { FastifyInstance } from "fastify";
import { installFederationAuth } from "./auth/federation-auth.js";
import type { FederationApiServices } from "./federation-api-services.js";
import { registerGetVersion } from "./routes/discovery/get-version.js";
import { registerGetHierarchy } from "./routes/hierarchy/get-hierarchy.js";
import { registerGetServerKey } from "./routes/keys/get-server-key.js";
import { registerQueryKeys } from "./routes/keys/query-keys.js";
import { registerInvite } from "./routes/membership/invite.js";
import { registerMakeJoin } from "./routes/membership/make-join.js";
import { registerMakeKnock } from "./routes/membership/make-knock.js";
import { registerMakeLeave } from "./routes/membership/make-leave.js";
import { registerSendJoin } from "./routes/membership/send-join.js";
import { registerSendKnock } from "./routes/membership/send-knock.js";
import { registerSendLeave } from "./routes/membership/send-leave.js";
import { registerPublicRooms } from "./routes/query/public-rooms.js";
import { registerQueryDirectory } from "./routes/query/query-directory.js";
import { registerQueryProfile } from "./routes/query/query-profile.js";
import { registerGetBackfill } from "./routes/rooms/get-backfill.js";
import { registerGetEventAuth } from "./routes/rooms/get-event-auth.js";
import { registerGetEvent } from "./routes/rooms/get-event.js";
import { registerGetMissingEvents } from "./routes/rooms/get-missing-events.js";
import { registerGetStateIds } from "./routes/rooms/get-state-ids.js";
import { registerGetState } from "./routes/rooms/get-state.js";
import { registerSendTransaction } from "./routes/transactions/send-transaction.js";
import { registerOpenIdUserInfo } from "./routes/openid/userinfo.js";
import { registerTimestampToEvent } from "./routes/timestamp/timestamp-to-event.js";
import { registerQueryUserKeys } from "./routes/user-keys/query-user-keys.js";
import { registerClaimUserKeys } from "./routes/user-keys/claim-user-keys.js";
import { registerGetUserDevices } from "./routes/user-keys/get-user-devices.js";
import { registerMediaRoutes } from "./routes/media/media-routes.js";

/**
 * Mounts `/_matrix/federation/*` and `/_matrix/key/*`. The auth hook goes first: every federation route
 * registered after it needs a valid X-Matrix signature unless it opts out with `config.federationAuth: false`.
 */
export function registerFederationApi(app: FastifyInstance, services: FederationApiServices): void {
  installFederationAuth(app, { serverName: services.serverName, serverKeys: services.serverKeys, clock: services.clock });
  // A signed request from a peer proves it is up: let the sender retry it now instead of after its backoff.
  app.addHook("preHandler", async (request) => {
    if (request.federationOrigin) services.peerIsUp(request.federationOrigin);
  });
  registerGetVersion(app);
  registerGetServerKey(app, services);
  registerQueryKeys(app, services);
  registerSendTransaction(app, services);
  registerGetEvent(app, services);
  registerGetStateIds(app, services);
  registerGetState(app, services);
  registerGetEventAuth(app, services);
  registerGetMissingEvents(app, services);
  registerGetBackfill(app, services);
  registerMakeJoin(app, services);
  registerSendJoin(app, services);
  registerMakeLeave(app, services);
  registerSendLeave(app, services);
  registerMakeKnock(app, services);
  registerSendKnock(app, services);
  registerInvite(app, services);
  registerQueryDirectory(app, services);
  registerQueryProfile(app, services);
  registerPublicRooms(app, services);
  registerGetHierarchy(app, services);
  registerOpenIdUserInfo(app, services);
  registerTimestampToEvent(app, services);
  registerQueryUserKeys(app, services);
  registerClaimUserKeys(app, services);
  registerGetUserDevices(app, services);
  registerMediaRoutes(app, services);
}

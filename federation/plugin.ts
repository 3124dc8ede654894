import type { FastifyInstance } from "fastify";
import type { AppContext } from "../homeserver/app/app-context.js";
import { installFederationAuth } from "./auth/federation-auth.js";
import { registerGetVersion } from "./routes/discovery/get-version.js";
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
  registerSendTransaction(app, ctx);
  registerGetEvent(app, ctx);
  registerGetStateIds(app, ctx);
  registerGetState(app, ctx);
  registerGetEventAuth(app, ctx);
  registerGetMissingEvents(app, ctx);
  registerGetBackfill(app, ctx);
  registerMakeJoin(app, ctx);
  registerSendJoin(app, ctx);
  registerMakeLeave(app, ctx);
  registerSendLeave(app, ctx);
  registerMakeKnock(app, ctx);
  registerSendKnock(app, ctx);
  registerInvite(app, ctx);
  registerQueryDirectory(app, ctx);
  registerQueryProfile(app, ctx);
  registerPublicRooms(app, ctx);
}

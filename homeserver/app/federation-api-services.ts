import type { FederationApiServices } from "../../federation/federation-api-services.js";
import type { AppContext } from "./app-context.js";

/**
 * Federation's routes' view of the server, taken from the context once when the listener is built.
 * createAppContext always attaches the rooms core for federation; a context without it is a wiring error,
 * refused here at startup rather than answered to peers request by request.
 */
export function federationApiServices(ctx: AppContext): FederationApiServices {
  const rooms = ctx.rooms.federation;
  if (!rooms) throw new Error("the federation API needs ctx.rooms.federation, which createAppContext attaches; it is missing");
  return {
    serverName: ctx.serverName,
    clock: ctx.clock,
    maxRequestBodyBytes: ctx.config.max_request_body_bytes,
    serverKeys: ctx.serverKeys,
    localKeys: ctx.federation.localKeys,
    notary: ctx.federation.notary,
    rooms,
    directory: ctx.rooms.directory,
    profiles: ctx.users.profiles,
    // The sender starts after the listeners (start-server.ts) and may be absent in tests: look it up per request.
    peerIsUp: (origin) => ctx.federation.sender?.peerIsUp(origin),
  };
}

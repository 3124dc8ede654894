import type { FederationApiServices } from "../../federation/federation-api-services.js";
import type { AppContext } from "./app-context.js";

/** Federation's routes' view of the server, taken from the context once when the listener is built. */
export function federationApiServices(ctx: AppContext): FederationApiServices {
  return {
    serverName: ctx.serverName,
    clock: ctx.clock,
    maxRequestBodyBytes: ctx.config.max_request_body_bytes,
    serverKeys: ctx.serverKeys,
    localKeys: ctx.federation.localKeys,
    notary: ctx.federation.notary,
    rooms: ctx.federationRooms,
    directory: ctx.rooms.directory,
    profiles: ctx.users.profiles,
    hierarchy: ctx.rooms.hierarchy,
    // The sender starts after the listeners (start-server.ts) and may be absent in tests: look it up per request.
    peerIsUp: (origin) => ctx.federation.sender?.peerIsUp(origin),
    openid: ctx.users.openid,
    timestamps: ctx.roomReads.timestamps,
    e2eKeys: ctx.users.e2eKeys,
    userDevices: ctx.deviceFederation.userDevices,
    crossSigning: ctx.users.crossSigning,
    media: ctx.media.repository,
  };
}

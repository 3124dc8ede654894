import type { AppContext } from "../../homeserver/app/app-context.js";
import { errors } from "../../homeserver/errors.js";
import type { FederationRooms } from "../../homeserver/rooms/remote/index.js";

/** The rooms core as peers see it; app/ always attaches it, so its absence is a wiring error, answered as unknown endpoint. */
export function federationRooms(ctx: AppContext): FederationRooms {
  const rooms = ctx.rooms.federation;
  if (!rooms) throw errors.unrecognized("Federation is not available");
  return rooms;
}

import type { CoreContext } from "../../core/core-context.js";
import type { RoomServices } from "../../rooms/index.js";
import type { EduHandler, FederationOutbox } from "../edu-contracts.js";
import { PresenceService } from "./presence-service.js";
import { PresenceSync } from "./presence-sync-source.js";
import { PresenceOnJoin } from "./presence-on-join.js";
import { SharedRooms } from "./shared-rooms.js";

export { PresenceService } from "./presence-service.js";

export interface PresenceParts {
  service: PresenceService;
  /** Starts sending presence to servers that newly share a room; returns the unsubscribe. */
  startOnJoin: () => () => void;
  syncSource: PresenceSync;
  onEdu: EduHandler;
}

export function createPresence(core: CoreContext, deps: { rooms: RoomServices; outbox: FederationOutbox }): PresenceParts {
  const shared = new SharedRooms(deps.rooms);
  const service = new PresenceService(core, shared, deps.outbox);
  const onJoin = new PresenceOnJoin(core, service, shared);
  return {
    service,
    startOnJoin: () => onJoin.start(),
    syncSource: new PresenceSync(core, service, shared),
    onEdu: (origin, content) => service.receiveEdu(origin, content),
  };
}

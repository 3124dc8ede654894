import type { CoreContext } from "../app/core-context.js";
import type { UserServices } from "../users/index.js";
import { EventPersister } from "./persist-events.js";
import { RoomService } from "./room-service.js";
import { DirectoryService } from "./directory-service.js";
import type { FederationRooms } from "./remote/index.js";

export interface RoomServices {
  /** The persist pipeline and the stores it owns (events, rooms/current state, state groups, txn ids). */
  persister: EventPersister;
  /** Create, send, state, membership and the plain reads. */
  service: RoomService;
  /** Room aliases, directory visibility and the public room list. */
  directory: DirectoryService;
  onProfileChanged(userId: string, profile: { displayname: string | null; avatar_url: string | null }): Promise<void>;
  leaveAllRooms(userId: string): Promise<void>;
  /** Rooms as other servers see them, and remote joins; attached once federation is composed (app/). */
  federation?: FederationRooms;
}

export function createRoomServices(core: CoreContext, users: UserServices): RoomServices {
  const persister = new EventPersister(core);
  const service = new RoomService(core, persister, users);
  return {
    persister,
    service,
    directory: new DirectoryService(core, persister, service),
    onProfileChanged: (userId, profile) => service.propagateProfile(userId, profile),
    leaveAllRooms: (userId) => service.leaveAllRooms(userId),
  };
}

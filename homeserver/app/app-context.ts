import type { CoreContext } from "./core-context.js";
import type { UserServices } from "../users/index.js";
import type { RoomServices } from "../rooms/index.js";
import type { SyncServices } from "../sync/index.js";

/** The composition of the core's services; built once by `createAppContext`. */
export interface AppContext extends CoreContext {
  users: UserServices;
  rooms: RoomServices;
  sync: SyncServices;
}

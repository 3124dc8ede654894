import type { CoreContext } from "./core-context.js";
import type { UserServices } from "../users/index.js";
import type { RoomServices } from "../rooms/index.js";
import type { SyncServices } from "../sync/index.js";
import type { ServerKeys } from "../federation-keys/server-keys.js";
import type { FederationServices } from "../../federation/services.js";
import type { EduServices } from "../edus/index.js";

/** The composition of the core's services; built once by `createAppContext`. */
export interface AppContext extends CoreContext {
  users: UserServices;
  rooms: RoomServices;
  sync: SyncServices;
  /** Receipts, typing, presence; EDUs in and out. */
  edus: EduServices;
  /** Other servers' signing keys, for verifying their signatures (implemented by federation/'s keyring). */
  serverKeys: ServerKeys;
  /** Outgoing federation (signed client, discovery, keyring, notary); composed here, used by federation/. */
  federation: FederationServices;
}

import type { CoreContext } from "../core/core-context.js";
import type { UserServices } from "../users/index.js";
import type { RoomServices } from "../rooms/index.js";
import type { SyncServices } from "../sync/index.js";
import type { RoomReads } from "../rooms/room-reads.js";
import type { FederationRooms } from "../rooms/remote/index.js";
import type { ServerKeys } from "../federation-keys/server-keys.js";
import type { FederationServices } from "../../federation/services.js";
import type { EduServices } from "../edus/index.js";
import type { Stores } from "../storage/stores/stores.js";
import type { ReportService } from "../rooms/reports/report-service.js";
import type { LegacySyncServices } from "../sync/legacy/index.js";
import type { DeviceFederation } from "../edus/device-messages/index.js";
import type { MediaServices } from "../media/index.js";
import type { ClosableOutgoingHttp } from "../core/outgoing-http.js";
import type { Pushers } from "../push/pushers/index.js";
import type { UrlPreviewService } from "../media/preview/url-preview-service.js";

/** The composition of the core's services; built once by `createAppContext`. */
export interface AppContext extends CoreContext {
  /** Made once here and handed to each service as the stores it uses; read only by app/'s own wiring. */
  stores: Stores;
  users: UserServices;
  rooms: RoomServices;
  /**
   * The read side of rooms (/messages, /context, /event, /state, /members, /joined_members, /joined_rooms),
   * one set of state and visibility caches shared with sync and the EDU services.
   */
  roomReads: RoomReads;
  sync: SyncServices;
  /** Rooms as other servers see them (reads, membership handshakes, /send), and remote joins. */
  federationRooms: FederationRooms;
  /** Receipts, typing, presence; EDUs in and out. */
  edus: EduServices;
  /** Other servers' signing keys, for verifying their signatures (implemented by federation/'s keyring). */
  serverKeys: ServerKeys;
  /** Outgoing federation (signed client, discovery, keyring, notary); composed here, used by federation/. */
  federation: FederationServices;
  /** Users' reports of events, rooms and users, kept for operators. */
  reports: ReportService;
  /** The deprecated /events and /initialSync, on the read side of rooms. */
  legacySync: LegacySyncServices;
  /** To-device messages and device lists between servers: the durable EDU outbox, GET /user/devices, pruning. */
  deviceFederation: DeviceFederation;
  /** The media repository (uploads, downloads, thumbnails, remote copies) and its retention job. */
  media: MediaServices;
  /**
   * Outgoing HTTP(S) to user-supplied URLs (pushers, URL previews) through federation's IP range filter;
   * hand services the narrow `OutgoingHttp` side of it.
   */
  outgoingHttp: ClosableOutgoingHttp;
  /** Pushers (GET /pushers, POST /pushers/set) and their delivery loop; stop the loop before the database closes. */
  pushers: Pushers;
  /** GET /media/v1/preview_url: fetched through outgoingHttp, kept in the url_previews table. */
  urlPreviews: UrlPreviewService;
}

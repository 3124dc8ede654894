import type { StreamPositions } from "../streams/sync-token.js";
import type { BasicEventJson } from "../../schemas/client/sync/get-sync.js";

/**
 * What the EDU streams offer their readers. Sync reads these (its receipts, typing and presence providers wrap
 * them); the EDU services know nothing of sync.
 */
export interface EduSyncSources {
  receipts: RoomEphemeralSource;
  typing: RoomEphemeralSource;
  presence: PresenceSyncSource;
}

/** A window of a sync: (since, to]; `since` is undefined for an initial sync (send the current state). */
export interface EphemeralWindow {
  userId: string;
  since: StreamPositions | undefined;
  to: StreamPositions;
}

/** m.receipt or m.typing for the user's joined rooms: room id -> events (only rooms with something to send). */
export interface RoomEphemeralSource {
  forRooms(window: EphemeralWindow, roomIds: readonly string[]): Promise<Map<string, BasicEventJson[]>>;
}

/** The top-level presence section of a sync, and the sync requests that keep a user present. */
export interface PresenceSyncSource {
  forUser(window: EphemeralWindow): Promise<BasicEventJson[]>;
  /**
   * The current presence of users the viewer has just come to share a room with: `users` joined a room the viewer
   * is in, and every member of `rooms` the viewer has just joined (Synapse sends these too, changed or not).
   */
  forNewRoommates(viewer: string, users: readonly string[], rooms: readonly string[]): Promise<BasicEventJson[]>;
  /** A sync request arrived (long-poll or WebSocket); `setPresence` is the client's set_presence. */
  syncing(userId: string, setPresence: "online" | "offline" | "unavailable" | undefined): Promise<void>;
}

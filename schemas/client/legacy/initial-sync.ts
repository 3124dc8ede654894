import type { ClientRoute } from "../client-route.js";
import type { ClientEventJson } from "../room-reads/client-event.js";

/** GET /_matrix/client/v3/initialSync (deprecated; replaced by /sync). */
export interface InitialSyncQuery {
  limit?: number;
  archived?: boolean;
}

export interface AccountDataEventJson {
  type: string;
  content: Record<string, unknown>;
}

export interface PaginationChunkJson {
  start?: string;
  end: string;
  chunk: ClientEventJson[];
}

export interface RoomInfoJson {
  room_id: string;
  membership: string;
  invite?: ClientEventJson;
  messages?: PaginationChunkJson;
  state?: ClientEventJson[];
  visibility?: "public" | "private";
  account_data?: AccountDataEventJson[];
}

export interface InitialSyncResponse {
  end: string;
  presence: AccountDataEventJson[];
  rooms: RoomInfoJson[];
  account_data: AccountDataEventJson[];
}

export const initialSyncQuery = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 0 },
    archived: { type: "boolean" },
  },
} as const;

export const initialSyncRoute: ClientRoute<"required", { query: InitialSyncQuery; response: InitialSyncResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/initialSync",
  auth: "required",
  rateLimited: false,
  query: initialSyncQuery,
};

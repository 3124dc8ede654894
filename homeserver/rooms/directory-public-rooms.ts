import type { Db } from "../storage/database.js";
import type { PublicRoomsResponse, PublishedRoomsChunk } from "../../schemas/client/directory/get-public-rooms.js";
import type { PublicRoomsFilter } from "../../schemas/client/directory/query-public-rooms.js";
import type { EventPersister } from "./persist/event-persister.js";
import { isListable, summariseRoom } from "./directory-summary.js";
import { compareKeys, paginate } from "./directory-pagination.js";

/** Synapse's cap too: a client asking for more (or for no limit) gets pages of this size with a next_batch. */
export const MAX_PUBLIC_ROOMS_PER_PAGE = 100;

export interface PublicRoomsQuery {
  /** 0 or absent: the server's page size. */
  limit?: number;
  since?: string;
  filter?: PublicRoomsFilter;
}

/**
 * Published rooms with their joined-member counts, in one query rather than one per room. (A candidate for
 * RoomsStore once the directory settles.)
 */
async function publishedRoomsWithJoinedCounts(db: Db): Promise<Array<{ roomId: string; joined: number }>> {
  const rows = await db
    .selectFrom("rooms")
    .leftJoin("current_state", (join) =>
      join
        .onRef("current_state.room_id", "=", "rooms.room_id")
        .on("current_state.type", "=", "m.room.member")
        .on("current_state.membership", "=", "join"),
    )
    .select((eb) => ["rooms.room_id as room_id", eb.fn.count<number>("current_state.state_key").as("joined")])
    .where("rooms.directory_visibility", "=", "public")
    .groupBy("rooms.room_id")
    .execute();
  return rows.map((row) => ({ roomId: row.room_id, joined: Number(row.joined) }));
}

function matchesFilter(entry: PublishedRoomsChunk, filter: PublicRoomsFilter | undefined): boolean {
  const types = filter?.room_types;
  // An empty list filters nothing, as in Synapse; `null` in the list stands for rooms without a type.
  if (types && types.length > 0 && !types.includes(entry.room_type ?? null)) return false;
  const term = filter?.generic_search_term?.trim().toLowerCase();
  if (!term) return true;
  return [entry.name, entry.topic, entry.canonical_alias].some((text) => text?.toLowerCase().includes(term));
}

/**
 * The local published room directory, largest rooms first. Each request builds the listing from the rooms'
 * in-memory current state, which the persister caches; fine for thousands of published rooms, not millions.
 */
export async function listPublicRooms(db: Db, persister: EventPersister, query: PublicRoomsQuery): Promise<PublicRoomsResponse> {
  const limit = !query.limit ? MAX_PUBLIC_ROOMS_PER_PAGE : Math.min(query.limit, MAX_PUBLIC_ROOMS_PER_PAGE);
  const entries: PublishedRoomsChunk[] = [];
  for (const { roomId, joined } of await publishedRoomsWithJoinedCounts(db)) {
    const memory = await persister.roomMemory(roomId);
    if (!memory) continue;
    const entry = summariseRoom(memory, joined);
    if (isListable(entry) && matchesFilter(entry, query.filter)) entries.push(entry);
  }
  const keyOf = (entry: PublishedRoomsChunk) => ({ joined: entry.num_joined_members, roomId: entry.room_id });
  entries.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const page = paginate(entries, keyOf, limit, query.since);
  const response: PublicRoomsResponse = { chunk: page.items, total_room_count_estimate: entries.length };
  if (page.nextBatch) response.next_batch = page.nextBatch;
  if (page.prevBatch) response.prev_batch = page.prevBatch;
  return response;
}

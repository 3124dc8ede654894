import type { Db } from "../../storage/database.js";

/** Points every local alias of one room at another, in one statement: an alias is never left pointing nowhere. */
export async function moveLocalAliases(db: Db, fromRoomId: string, toRoomId: string): Promise<number> {
  const result = await db.updateTable("room_aliases").set({ room_id: toRoomId }).where("room_id", "=", fromRoomId).executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

import type { Db, Tx } from "../database.js";

/** Local room aliases (#name:server -> room id). */
export class AliasesStore {
  constructor(private readonly db: Db) {}

  async resolve(alias: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("room_aliases").select("room_id").where("alias", "=", alias).executeTakeFirst();
    return row?.room_id;
  }

  /** Returns false when the alias is already taken. `db` lets a new room write its alias in its own transaction. */
  async create(alias: string, roomId: string, creator: string, now: number, db: Db | Tx = this.db): Promise<boolean> {
    const result = await db
      .insertInto("room_aliases")
      .values({ alias, room_id: roomId, creator, created_ts: now })
      .onConflict((oc) => oc.column("alias").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(alias: string): Promise<{ roomId: string; creator: string } | undefined> {
    const row = await this.db.selectFrom("room_aliases").select(["room_id", "creator"]).where("alias", "=", alias).executeTakeFirst();
    return row ? { roomId: row.room_id, creator: row.creator } : undefined;
  }

  async delete(alias: string): Promise<void> {
    await this.db.deleteFrom("room_aliases").where("alias", "=", alias).execute();
  }

  async forRoom(roomId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("room_aliases").select("alias").where("room_id", "=", roomId).orderBy("alias").execute();
    return rows.map((r) => r.alias);
  }
}

import type { Db } from "../database.js";

/** `user_filters`: filters are immutable once stored, so there is only insert and get. */
export class FilterStore {
  constructor(private readonly db: Db) {}

  async insert(userId: string, filterJson: string): Promise<number> {
    const row = await this.db
      .insertInto("user_filters")
      .values({ user_id: userId, filter_json: filterJson })
      .returning("filter_id")
      .executeTakeFirstOrThrow();
    return Number(row.filter_id);
  }

  async get(userId: string, filterId: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("user_filters")
      .select("filter_json")
      .where("filter_id", "=", filterId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.filter_json;
  }
}

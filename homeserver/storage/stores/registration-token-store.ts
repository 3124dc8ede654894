import type { Tx, Db } from "../database.js";

/** `registration_tokens`: tokens an admin created, each with an optional use limit and expiry. */
export class RegistrationTokenStore {
  constructor(private readonly db: Db) {}

  async isUsable(token: string, now: number): Promise<boolean> {
    const row = await this.db.selectFrom("registration_tokens").selectAll().where("token", "=", token).executeTakeFirst();
    if (!row) return false;
    if (row.expiry_time !== null && Number(row.expiry_time) <= now) return false;
    return row.uses_allowed === null || row.completed < row.uses_allowed;
  }

  /**
   * Counts one completed registration against the token. The check and the increment are one statement,
   * so two registrations racing for a token's last use cannot both succeed.
   */
  async consume(tx: Tx, token: string, now: number): Promise<boolean> {
    const result = await tx
      .updateTable("registration_tokens")
      .set((eb) => ({ completed: eb("completed", "+", 1) }))
      .where("token", "=", token)
      .where((eb) => eb.or([eb("expiry_time", "is", null), eb("expiry_time", ">", now)]))
      .where((eb) => eb.or([eb("uses_allowed", "is", null), eb("completed", "<", eb.ref("uses_allowed"))]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async create(token: string, options: { usesAllowed: number | null; expiryTime: number | null }): Promise<void> {
    await this.db
      .insertInto("registration_tokens")
      .values({ token, uses_allowed: options.usesAllowed, completed: 0, expiry_time: options.expiryTime })
      .execute();
  }
}

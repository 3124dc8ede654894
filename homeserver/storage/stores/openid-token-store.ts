import type { Db } from "../database.js";

/** `openid_tokens`, keyed by the sha256 of each token (the tokens themselves are never stored). */
export class OpenIdTokenStore {
  constructor(private readonly db: Db) {}

  async insert(tokenHash: string, userId: string, expiresTs: number): Promise<void> {
    await this.db.insertInto("openid_tokens").values({ token_hash: tokenHash, user_id: userId, expires_ts: expiresTs }).execute();
  }

  /** The token's user while it is valid at `now`. */
  async userOf(tokenHash: string, now: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("openid_tokens")
      .select("user_id")
      .where("token_hash", "=", tokenHash)
      .where("expires_ts", ">", now)
      .executeTakeFirst();
    return row?.user_id;
  }

  /** Expired tokens are useless; removing them keeps the table to the tokens in use. */
  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom("openid_tokens").where("expires_ts", "<=", now).execute();
  }
}

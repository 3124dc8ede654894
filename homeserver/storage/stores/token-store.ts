import type { Db, Tx } from "../database.js";

export interface AccessTokenOwner {
  userId: string;
  deviceId: string;
  expiresTs: number | null;
  isAdmin: boolean;
  deactivated: boolean;
  /** A guest account; absent: a full one. */
  isGuest?: boolean;
}

/** `access_tokens` and `refresh_tokens`, keyed by the sha256 of each token (the tokens are never stored). */
export class TokenStore {
  constructor(private readonly db: Db) {}

  async insertAccessToken(
    tx: Tx,
    token: { tokenHash: string; userId: string; deviceId: string; createdTs: number; expiresTs: number | null; refreshTokenHash: string | null },
  ): Promise<void> {
    await tx
      .insertInto("access_tokens")
      .values({
        token_hash: token.tokenHash,
        user_id: token.userId,
        device_id: token.deviceId,
        created_ts: token.createdTs,
        expires_ts: token.expiresTs,
        refresh_token_hash: token.refreshTokenHash,
      })
      .execute();
  }

  async insertRefreshToken(tx: Tx, token: { tokenHash: string; userId: string; deviceId: string; createdTs: number }): Promise<void> {
    await tx
      .insertInto("refresh_tokens")
      .values({ token_hash: token.tokenHash, user_id: token.userId, device_id: token.deviceId, created_ts: token.createdTs, used_ts: null })
      .execute();
  }

  async findAccessToken(tokenHash: string): Promise<AccessTokenOwner | undefined> {
    const row = await this.db
      .selectFrom("access_tokens as t")
      .innerJoin("users as u", "u.user_id", "t.user_id")
      .select(["t.user_id", "t.device_id", "t.expires_ts", "u.is_admin", "u.deactivated", "u.is_guest"])
      .where("t.token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const owner: AccessTokenOwner = {
      userId: row.user_id,
      deviceId: row.device_id,
      expiresTs: row.expires_ts === null ? null : Number(row.expires_ts),
      isAdmin: row.is_admin,
      deactivated: row.deactivated,
    };
    if (row.is_guest) owner.isGuest = true;
    return owner;
  }

  /**
   * Marks a refresh token used and returns its owner, or undefined if it is unknown or already used. The
   * conditional UPDATE makes the exchange single-use even when two requests race with the same token.
   */
  async consumeRefreshToken(tx: Tx, tokenHash: string, now: number): Promise<{ userId: string; deviceId: string } | undefined> {
    const row = await tx
      .updateTable("refresh_tokens")
      .set({ used_ts: now })
      .where("token_hash", "=", tokenHash)
      .where("used_ts", "is", null)
      .returning(["user_id", "device_id"])
      .executeTakeFirst();
    return row ? { userId: row.user_id, deviceId: row.device_id } : undefined;
  }

  /** Revokes the access token that was issued alongside a refresh token. */
  async deleteAccessTokensOfRefreshToken(tx: Tx, refreshTokenHash: string): Promise<void> {
    await tx.deleteFrom("access_tokens").where("refresh_token_hash", "=", refreshTokenHash).execute();
  }

  /** Revokes every access and refresh token of the given devices. */
  async deleteForDevices(tx: Tx, userId: string, deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length === 0) return;
    await tx.deleteFrom("access_tokens").where("user_id", "=", userId).where("device_id", "in", deviceIds).execute();
    await tx.deleteFrom("refresh_tokens").where("user_id", "=", userId).where("device_id", "in", deviceIds).execute();
  }

  /** Revokes every token of the user, except those of device `keep` when given. */
  async deleteForUser(tx: Tx, userId: string, keep: string | null): Promise<void> {
    let access = tx.deleteFrom("access_tokens").where("user_id", "=", userId);
    let refresh = tx.deleteFrom("refresh_tokens").where("user_id", "=", userId);
    if (keep !== null) {
      access = access.where("device_id", "!=", keep);
      refresh = refresh.where("device_id", "!=", keep);
    }
    await access.execute();
    await refresh.execute();
  }
}

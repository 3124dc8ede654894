import type { Db, Tx } from "../database.js";

export interface UserRecord {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  createdTs: number;
  isAdmin: boolean;
  deactivated: boolean;
  displayname: string | null;
  avatarUrl: string | null;
  isGuest: boolean;
}

export interface NewUser {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  createdTs: number;
  isAdmin: boolean;
  displayname: string | null;
  /** A guest account (kind=guest); absent: a full account. */
  isGuest?: boolean;
}

/** The `users` table: accounts, their password hash, admin and deactivation flags, and the profile. */
export class UserStore {
  constructor(private readonly db: Db) {}

  /** False when the user id or localpart is taken: ON CONFLICT makes a registration race lose cleanly. */
  async insert(tx: Tx, user: NewUser): Promise<boolean> {
    const inserted = await tx
      .insertInto("users")
      .values({
        user_id: user.userId,
        localpart: user.localpart,
        password_hash: user.passwordHash,
        created_ts: user.createdTs,
        is_admin: user.isAdmin,
        deactivated: false,
        displayname: user.displayname,
        avatar_url: null,
        is_guest: user.isGuest ?? false,
      })
      .onConflict((oc) => oc.doNothing())
      .returning("user_id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async get(userId: string, db: Db | Tx = this.db): Promise<UserRecord | undefined> {
    const row = await db.selectFrom("users").selectAll().where("user_id", "=", userId).executeTakeFirst();
    if (!row) return undefined;
    return {
      userId: row.user_id,
      localpart: row.localpart,
      passwordHash: row.password_hash,
      createdTs: Number(row.created_ts),
      isAdmin: row.is_admin,
      deactivated: row.deactivated,
      displayname: row.displayname,
      avatarUrl: row.avatar_url,
      isGuest: row.is_guest,
    };
  }

  async localpartTaken(localpart: string): Promise<boolean> {
    const row = await this.db.selectFrom("users").select("user_id").where("localpart", "=", localpart).executeTakeFirst();
    return row !== undefined;
  }

  async setPasswordHash(tx: Tx, userId: string, passwordHash: string): Promise<void> {
    await tx.updateTable("users").set({ password_hash: passwordHash }).where("user_id", "=", userId).execute();
  }

  /**
   * Turns a guest account into a full one with this password; false when the user is not (or no longer) a
   * guest. Conditional on is_guest, so two upgrades racing with one guest's token cannot both win.
   */
  async upgradeGuest(tx: Tx, userId: string, passwordHash: string): Promise<boolean> {
    const row = await tx
      .updateTable("users")
      .set({ is_guest: false, password_hash: passwordHash })
      .where("user_id", "=", userId)
      .where("is_guest", "=", true)
      .where("deactivated", "=", false)
      .returning("user_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Which of these users are guest accounts. */
  async guestsAmong(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.selectFrom("users").select("user_id").where("user_id", "in", [...userIds]).where("is_guest", "=", true).execute();
    return rows.map((row) => row.user_id);
  }

  async markDeactivated(tx: Tx, userId: string, erase: boolean): Promise<void> {
    await tx
      .updateTable("users")
      .set(erase ? { deactivated: true, displayname: null, avatar_url: null } : { deactivated: true })
      .where("user_id", "=", userId)
      .execute();
  }

  /** Updates the given profile fields; returns the whole profile after the change, or undefined if no user. */
  async updateProfile(
    userId: string,
    fields: { displayname?: string | null; avatar_url?: string | null },
  ): Promise<{ displayname: string | null; avatar_url: string | null } | undefined> {
    return this.db
      .updateTable("users")
      .set(fields)
      .where("user_id", "=", userId)
      .returning(["displayname", "avatar_url"])
      .executeTakeFirst();
  }
}

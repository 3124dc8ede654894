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
}

export interface NewUser {
  userId: string;
  localpart: string;
  passwordHash: string | null;
  createdTs: number;
  isAdmin: boolean;
  displayname: string | null;
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
    };
  }

  async localpartTaken(localpart: string): Promise<boolean> {
    const row = await this.db.selectFrom("users").select("user_id").where("localpart", "=", localpart).executeTakeFirst();
    return row !== undefined;
  }

  async setPasswordHash(tx: Tx, userId: string, passwordHash: string): Promise<void> {
    await tx.updateTable("users").set({ password_hash: passwordHash }).where("user_id", "=", userId).execute();
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

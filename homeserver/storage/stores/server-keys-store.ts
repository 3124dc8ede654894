import type { Db } from "../database.js";

export interface ServerKeyRow {
  serverName: string;
  keyId: string;
  /** Unpadded base64, as published. */
  publicKey: string;
  /** The last time the key may be used to verify: the capped valid_until_ts, or expired_ts for an old key. */
  validUntilTs: number;
  expiredTs: number | null;
}

export interface KeyResponseRow {
  serverName: string;
  keyId: string;
  fromServer: string;
  fetchedTs: number;
  validUntilTs: number;
  /** The response exactly as received (with the origin's and any notary's signatures). */
  keyJson: string;
}

/** Other servers' signing keys (parsed, for verifying) and the signed responses they came in (for notary answers). */
export class ServerKeysStore {
  constructor(private readonly db: Db) {}

  async getKey(serverName: string, keyId: string): Promise<ServerKeyRow | undefined> {
    const row = await this.db
      .selectFrom("server_keys")
      .selectAll()
      .where("server_name", "=", serverName)
      .where("key_id", "=", keyId)
      .executeTakeFirst();
    return row
      ? { serverName: row.server_name, keyId: row.key_id, publicKey: row.public_key, validUntilTs: Number(row.valid_until_ts), expiredTs: row.expired_ts === null ? null : Number(row.expired_ts) }
      : undefined;
  }

  /**
   * Stores the keys parsed from one response together with the response itself, in one transaction so a
   * notary never serves a response whose keys we have not recorded. The newest fetch wins: a server that
   * moved a key to old_verify_keys has shortened its validity on purpose.
   */
  async storeResponse(keys: ServerKeyRow[], responses: KeyResponseRow[]): Promise<void> {
    if (keys.length === 0 && responses.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      if (keys.length > 0) {
        await tx
          .insertInto("server_keys")
          .values(keys.map((k) => ({ server_name: k.serverName, key_id: k.keyId, public_key: k.publicKey, valid_until_ts: k.validUntilTs, expired_ts: k.expiredTs })))
          .onConflict((oc) =>
            oc.columns(["server_name", "key_id"]).doUpdateSet((eb) => ({
              public_key: eb.ref("excluded.public_key"),
              valid_until_ts: eb.ref("excluded.valid_until_ts"),
              expired_ts: eb.ref("excluded.expired_ts"),
            })),
          )
          .execute();
      }
      if (responses.length > 0) {
        await tx
          .insertInto("server_key_json")
          .values(responses.map((r) => ({ server_name: r.serverName, key_id: r.keyId, from_server: r.fromServer, fetched_ts: r.fetchedTs, valid_until_ts: r.validUntilTs, key_json: r.keyJson })))
          .onConflict((oc) =>
            oc.columns(["server_name", "key_id"]).doUpdateSet((eb) => ({
              from_server: eb.ref("excluded.from_server"),
              fetched_ts: eb.ref("excluded.fetched_ts"),
              valid_until_ts: eb.ref("excluded.valid_until_ts"),
              key_json: eb.ref("excluded.key_json"),
            })),
          )
          .execute();
      }
    });
  }

  /** Stored responses for `serverName`, limited to those listing one of `keyIds` when given. */
  async responses(serverName: string, keyIds?: string[]): Promise<KeyResponseRow[]> {
    if (keyIds && keyIds.length === 0) return [];
    let query = this.db.selectFrom("server_key_json").selectAll().where("server_name", "=", serverName);
    if (keyIds) query = query.where("key_id", "in", keyIds);
    const rows = await query.orderBy("key_id").execute();
    return rows.map((r) => ({
      serverName: r.server_name,
      keyId: r.key_id,
      fromServer: r.from_server,
      fetchedTs: Number(r.fetched_ts),
      validUntilTs: Number(r.valid_until_ts),
      keyJson: r.key_json,
    }));
  }
}

import type { Db } from "../database.js";

/**
 * Transactions received from other servers, by (origin, txnId), with the response we gave: a sender that
 * retries a transaction (it did not see our 200) gets the same answer, and its PDUs are not processed twice.
 */
export class InboundTxnsStore {
  constructor(private readonly db: Db) {}

  async get(origin: string, txnId: string): Promise<unknown | undefined> {
    const row = await this.db
      .selectFrom("federation_inbound_txns")
      .select("response")
      .where("origin", "=", origin)
      .where("txn_id", "=", txnId)
      .executeTakeFirst();
    return row ? JSON.parse(row.response) : undefined;
  }

  /** Keeps the first response stored for a transaction: a concurrent duplicate does not overwrite it. */
  async put(origin: string, txnId: string, response: unknown, receivedTs: number): Promise<void> {
    await this.db
      .insertInto("federation_inbound_txns")
      .values({ origin, txn_id: txnId, response: JSON.stringify(response), received_ts: receivedTs })
      .onConflict((oc) => oc.columns(["origin", "txn_id"]).doNothing())
      .execute();
  }

  /** Forgets transactions received before `ts`; senders retry within minutes, not days. */
  async deleteOlderThan(ts: number): Promise<number> {
    const result = await this.db.deleteFrom("federation_inbound_txns").where("received_ts", "<", ts).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

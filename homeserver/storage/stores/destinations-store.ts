import type { Db } from "../database.js";

export interface DestinationRow {
  destination: string;
  lastSentStreamPos: number;
  retryAtTs: number | null;
  retryIntervalMs: number;
}

/** The durable federation sender's cursor and backoff per destination. */
export class DestinationsStore {
  constructor(private readonly db: Db) {}

  async all(): Promise<DestinationRow[]> {
    const rows = await this.db.selectFrom("federation_destinations").selectAll().execute();
    return rows.map((r) => ({
      destination: r.destination,
      lastSentStreamPos: Number(r.last_sent_stream_pos),
      retryAtTs: r.retry_at_ts === null ? null : Number(r.retry_at_ts),
      retryIntervalMs: Number(r.retry_interval_ms),
    }));
  }

  async save(row: DestinationRow): Promise<void> {
    await this.db
      .insertInto("federation_destinations")
      .values({ destination: row.destination, last_sent_stream_pos: row.lastSentStreamPos, retry_at_ts: row.retryAtTs, retry_interval_ms: row.retryIntervalMs })
      .onConflict((oc) =>
        oc.column("destination").doUpdateSet({ last_sent_stream_pos: row.lastSentStreamPos, retry_at_ts: row.retryAtTs, retry_interval_ms: row.retryIntervalMs }),
      )
      .execute();
  }
}

import { sql } from "kysely";
import type { Db } from "../../storage/database.js";

/**
 * Outliers, soft-failed and backfilled events take negative stream positions: they need a unique key and,
 * for backfill, an order before everything live, but they must never appear on the live stream.
 */
export class OutsidePositions {
  private next: number | undefined;
  private loading: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  async allocate(): Promise<number> {
    if (this.next === undefined) {
      this.loading ??= sql<{ min: number | null }>`SELECT min(stream_pos) AS min FROM events`.execute(this.db).then(({ rows }) => {
        this.next ??= Math.min(0, Number(rows[0]?.min ?? 0)) - 1;
      });
      await this.loading;
    }
    return this.next!--;
  }
}

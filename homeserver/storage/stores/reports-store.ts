import type { Db } from "../database.js";

export interface NewReport {
  kind: "event" | "room" | "user";
  reporter: string;
  roomId?: string;
  eventId?: string;
  targetUserId?: string;
  reason?: string;
  score?: number;
  receivedTs: number;
}

export interface StoredReport extends NewReport {
  id: number;
}

/** `reports`: what users reported, for operators to read; written once, never changed by the server. */
export class ReportsStore {
  constructor(private readonly db: Db) {}

  async insert(report: NewReport): Promise<number> {
    const row = await this.db
      .insertInto("reports")
      .values({
        kind: report.kind,
        reporter: report.reporter,
        room_id: report.roomId ?? null,
        event_id: report.eventId ?? null,
        target_user_id: report.targetUserId ?? null,
        reason: report.reason ?? null,
        score: report.score ?? null,
        received_ts: report.receivedTs,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Newest first: what an operator looks at. */
  async recent(limit: number): Promise<StoredReport[]> {
    const rows = await this.db.selectFrom("reports").selectAll().orderBy("id", "desc").limit(limit).execute();
    return rows.map((row) => ({
      id: Number(row.id),
      kind: row.kind,
      reporter: row.reporter,
      ...(row.room_id === null ? {} : { roomId: row.room_id }),
      ...(row.event_id === null ? {} : { eventId: row.event_id }),
      ...(row.target_user_id === null ? {} : { targetUserId: row.target_user_id }),
      ...(row.reason === null ? {} : { reason: row.reason }),
      ...(row.score === null ? {} : { score: row.score }),
      receivedTs: Number(row.received_ts),
    }));
  }
}

import { sql } from "kysely";
import type { Db, Tx } from "../database.js";

/** One live user-interactive auth session, as the `uia_sessions` table keeps it. */
export interface StoredUiaSession {
  operation: string;
  userId: string | undefined;
  clientParams: Record<string, unknown>;
  /** Each completed stage's result. */
  completed: Record<string, unknown>;
  /** The sealed result of the operation the session authorised, once it ran (authenticateOnce). */
  outcome: string | undefined;
  /** Set while a request runs that operation, since outcomeClaimedTs. */
  outcomeClaim: string | undefined;
  outcomeClaimedTs: number | undefined;
}

export interface NewUiaSession {
  sessionHash: string;
  operation: string;
  userId: string | undefined;
  clientParams: Record<string, unknown>;
  now: number;
  expiresTs: number;
}

interface SessionRow {
  operation: string;
  user_id: string | null;
  client_params: Record<string, unknown> | string;
  completed: Record<string, unknown> | string;
  outcome: string | null;
  outcome_claim: string | null;
  outcome_claimed_ts: number | string | null;
}

const COLUMNS = sql`operation, user_id, client_params, completed, outcome, outcome_claim, outcome_claimed_ts`;

// Both drivers parse jsonb into objects; the string case keeps a driver that does not from breaking us.
const parsed = (value: Record<string, unknown> | string): Record<string, unknown> => (typeof value === "string" ? JSON.parse(value) : value);

function toSession(row: SessionRow | undefined): StoredUiaSession | undefined {
  if (!row) return undefined;
  return {
    operation: row.operation,
    userId: row.user_id ?? undefined,
    clientParams: parsed(row.client_params),
    completed: parsed(row.completed),
    outcome: row.outcome ?? undefined,
    outcomeClaim: row.outcome_claim ?? undefined,
    outcomeClaimedTs: row.outcome_claimed_ts === null ? undefined : Number(row.outcome_claimed_ts),
  };
}

/**
 * The `uia_sessions` table. Every change is one statement that computes the new row from the stored one
 * (jsonb `||`, conditional UPDATE, DELETE ... RETURNING), so two requests of one session, in one process or
 * in two, never overwrite each other's stage or both use up the session. A session is live while
 * `expires_ts >= now`; the caller's clock decides `now`.
 */
export class UiaSessionsStore {
  constructor(private readonly db: Db) {}

  /** Stores a new session; sessions that expired are deleted on the way, so abandoned ones do not pile up. */
  async insert(session: NewUiaSession): Promise<void> {
    await this.deleteExpired(session.now);
    await sql`
      INSERT INTO uia_sessions (session_hash, operation, user_id, client_params, completed, created_ts, updated_ts, expires_ts)
      VALUES (${session.sessionHash}, ${session.operation}, ${session.userId ?? null}, ${JSON.stringify(session.clientParams)}::jsonb,
              '{}'::jsonb, ${session.now}, ${session.now}, ${session.expiresTs})`.execute(this.db);
  }

  async find(sessionHash: string, now: number): Promise<StoredUiaSession | undefined> {
    const { rows } = await sql<SessionRow>`
      SELECT ${COLUMNS} FROM uia_sessions WHERE session_hash = ${sessionHash} AND expires_ts >= ${now}`.execute(this.db);
    return toSession(rows[0]);
  }

  /** Marks the session used at `now` and merges `params` over its kept client parameters. */
  async touch(sessionHash: string, now: number, expiresTs: number, params: Record<string, unknown> = {}): Promise<StoredUiaSession | undefined> {
    const { rows } = await sql<SessionRow>`
      UPDATE uia_sessions SET client_params = client_params || ${JSON.stringify(params)}::jsonb, updated_ts = ${now}, expires_ts = ${expiresTs}
      WHERE session_hash = ${sessionHash} AND expires_ts >= ${now}
      RETURNING ${COLUMNS}`.execute(this.db);
    return toSession(rows[0]);
  }

  /** Records a completed stage; answers the session with every stage completed so far, or undefined once it is gone. */
  async completeStage(sessionHash: string, stage: string, result: unknown, now: number, expiresTs: number): Promise<StoredUiaSession | undefined> {
    const { rows } = await sql<SessionRow>`
      UPDATE uia_sessions SET completed = completed || jsonb_build_object(${stage}::text, ${JSON.stringify(result ?? null)}::jsonb),
                              updated_ts = ${now}, expires_ts = ${expiresTs}
      WHERE session_hash = ${sessionHash} AND expires_ts >= ${now}
      RETURNING ${COLUMNS}`.execute(this.db);
    return toSession(rows[0]);
  }

  /** Deletes the session and answers it: of two requests that use up one session, only one gets it. */
  async take(sessionHash: string, now: number): Promise<StoredUiaSession | undefined> {
    const { rows } = await sql<SessionRow>`
      DELETE FROM uia_sessions WHERE session_hash = ${sessionHash} AND expires_ts >= ${now} RETURNING ${COLUMNS}`.execute(this.db);
    return toSession(rows[0]);
  }

  /**
   * Claims the right to run the session's operation, for the request holding `claim`: granted when nobody ran
   * it yet, nobody is running it, or the claim held was taken before `staleBefore` (its process died).
   */
  async claimOutcome(sessionHash: string, claim: string, now: number, staleBefore: number): Promise<StoredUiaSession | undefined> {
    const { rows } = await sql<SessionRow>`
      UPDATE uia_sessions SET outcome_claim = ${claim}, outcome_claimed_ts = ${now}, updated_ts = ${now}
      WHERE session_hash = ${sessionHash} AND expires_ts >= ${now} AND outcome IS NULL
        AND (outcome_claim IS NULL OR outcome_claimed_ts < ${staleBefore})
      RETURNING ${COLUMNS}`.execute(this.db);
    return toSession(rows[0]);
  }

  /**
   * Keeps the operation's sealed result, if `claim` still holds the session; in `tx` when given, the
   * operation's own transaction, so that the result exists exactly when what it describes does.
   */
  async storeOutcome(sessionHash: string, claim: string, outcome: string, now: number, expiresTs: number, tx?: Tx): Promise<void> {
    await sql`
      UPDATE uia_sessions SET outcome = ${outcome}, outcome_claim = NULL, outcome_claimed_ts = NULL, updated_ts = ${now}, expires_ts = ${expiresTs}
      WHERE session_hash = ${sessionHash} AND outcome_claim = ${claim}`.execute(tx ?? this.db);
  }

  /** Gives up `claim` after the operation failed, so that the session may run it again. */
  async releaseOutcome(sessionHash: string, claim: string): Promise<void> {
    await sql`
      UPDATE uia_sessions SET outcome_claim = NULL, outcome_claimed_ts = NULL
      WHERE session_hash = ${sessionHash} AND outcome_claim = ${claim}`.execute(this.db);
  }

  async deleteExpired(now: number): Promise<void> {
    await sql`DELETE FROM uia_sessions WHERE expires_ts < ${now}`.execute(this.db);
  }

  /** How many sessions are stored, expired or not (tests). */
  async count(): Promise<number> {
    const { rows } = await sql<{ count: string | number }>`SELECT count(*) AS count FROM uia_sessions`.execute(this.db);
    return Number(rows[0].count);
  }
}

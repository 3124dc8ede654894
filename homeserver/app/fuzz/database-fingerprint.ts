import { sql } from "kysely";
import type { Db } from "../../storage/database.js";

/**
 * Per table: its row count and the newest `xmin` among its rows. Every row an insert or update writes carries
 * the writing transaction's id as `xmin`, so a committed insert, update or delete moves one of the two; a
 * rolled-back transaction leaves no row behind and moves neither.
 */
export type Fingerprint = Map<string, { rows: number; newestWrite: number }>;

export interface TableChange {
  table: string;
  change: string;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Fingerprints of the whole database, cheap enough to take after every request that wrote anything. The table
 * list is read from the catalogue, so tables added by later migrations are covered without edits here.
 */
export class DatabaseFingerprints {
  private query = "";

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    const result = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(this.db);
    const tables = result.rows.map((row) => row.table_name);
    if (tables.length === 0) throw new Error("no tables found: is the database migrated?");
    this.query = tables
      .map((table) => `select ${quoteText(table)} as name, count(*)::int as rows, coalesce(max(xmin::text::bigint), 0) as newest from ${quoteIdent(table)}`)
      .join(" union all ");
  }

  /**
   * A marker that moves whenever a transaction that wrote anything (committed or not) has run: the next
   * transaction id to be assigned. Reads assign none, so an unchanged marker spares taking a fingerprint.
   */
  async writeMarker(): Promise<string> {
    const result = await sql<{ xmax: string }>`select pg_snapshot_xmax(pg_current_snapshot())::text as xmax`.execute(this.db);
    return result.rows[0].xmax;
  }

  async take(): Promise<Fingerprint> {
    const result = await sql<{ name: string; rows: number; newest: string | number }>`${sql.raw(this.query)}`.execute(this.db);
    return new Map(result.rows.map((row) => [row.name, { rows: Number(row.rows), newestWrite: Number(row.newest) }]));
  }
}

/** The tables whose rows were inserted, updated or deleted between two fingerprints. */
export function fingerprintDifferences(before: Fingerprint, after: Fingerprint): TableChange[] {
  const out: TableChange[] = [];
  for (const [table, now] of after) {
    const then = before.get(table);
    if (!then) out.push({ table, change: "new table" });
    else if (then.rows !== now.rows) out.push({ table, change: `${then.rows} -> ${now.rows} rows` });
    else if (then.newestWrite !== now.newestWrite) out.push({ table, change: "rows updated" });
  }
  return out;
}

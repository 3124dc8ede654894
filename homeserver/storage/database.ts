import { Kysely, PostgresDialect, type Transaction } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import { prepareMarkedStatements } from "./prepared-statements.js";
import pg from "pg";
import type { Schema } from "./schema.js";

export type DatabaseConfig =
  // path undefined = in memory (tests); `snapshot` starts an in-memory database from a dumped data directory
  // (tests: a migrated database loads in a fraction of the time initdb and the migrations take).
  | { type: "embedded"; path?: string; snapshot?: Blob }
  | { type: "postgres"; url: string; poolSize?: number };

export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;

/**
 * One object over either driver. `transaction` gives after-commit hooks so that notifying waiters,
 * waking the federation sender and so on only happen once the data is durable and visible.
 */
export class Database {
  private readonly commitHooks = new WeakMap<Tx, Array<() => void>>();
  private readonly settleHooks = new WeakMap<Tx, Array<() => void>>();

  constructor(
    readonly db: Db,
    readonly driver: "embedded" | "postgres",
    private readonly closeDriver: () => Promise<void>,
  ) {}

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let hooks: Array<() => void> = [];
    let settled: Array<() => void> = [];
    let result: T;
    try {
      result = await this.db.transaction().execute(async (tx) => {
        hooks = [];
        settled = [];
        this.commitHooks.set(tx, hooks);
        this.settleHooks.set(tx, settled);
        return work(tx);
      });
    } catch (error) {
      runSettled(settled);
      throw error;
    }
    for (const hook of hooks) {
      try {
        hook();
      } catch (error) {
        // A failing listener must not turn a committed write into an error for the caller.
        console.error("after-commit hook failed", error);
      }
    }
    runSettled(settled);
    return result;
  }

  /**
   * Runs `hook` once `tx` has committed (after its onCommit hooks) or rolled back: for a stream position taken
   * inside the transaction, which must stop holding readers back either way.
   */
  onSettled(tx: Tx, hook: () => void): void {
    const hooks = this.settleHooks.get(tx);
    if (!hooks) throw new Error("onSettled needs a transaction started by Database.transaction");
    hooks.push(hook);
  }

  /** Runs `hook` after `tx` commits; never if it rolls back. */
  onCommit(tx: Tx, hook: () => void): void {
    const hooks = this.commitHooks.get(tx);
    if (!hooks) throw new Error("onCommit needs a transaction started by Database.transaction");
    hooks.push(hook);
  }

  close(): Promise<void> {
    return this.closeDriver();
  }
}

// pg hands back int8 as strings to be safe beyond 2^53; our ids and stream positions stay far below that,
// and PGlite already returns numbers, so both drivers agree on numbers.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.type === "postgres") {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 10, types: pgTypes as pg.CustomTypesConfig });
    // An idle connection that the server drops (restart, failover, DROP DATABASE) must not crash the process;
    // the pool replaces it, and queries in flight fail on their own.
    pool.on("error", (error) => console.warn(`postgres connection lost: ${error.message}`));
    prepareMarkedStatements(pool);
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return new Database(db, "postgres", () => db.destroy());
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = config.path ? new PGlite(config.path) : new PGlite(config.snapshot ? { loadDataDir: config.snapshot } : {});
  await pglite.waitReady;
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  return new Database(db, "embedded", () => db.destroy());
}

function runSettled(hooks: ReadonlyArray<() => void>): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch (error) {
      console.error("after-transaction hook failed", error);
    }
  }
}

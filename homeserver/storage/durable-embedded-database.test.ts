import { fsyncSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { openDurableEmbeddedDatabase } from "./durable-embedded-database.js";

const TIMEOUT = 120_000;

describe("the on-disk embedded database", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "myelin-durable-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "with embedded_fsync runs Postgres with fsync on and syncs a host file before each commit returns, and keeps the row on reopening",
    async () => {
      const path = join(dir, "durable");
      let syncs = 0;
      const sync = (fd: number) => {
        syncs++;
        fsyncSync(fd);
      };
      const database = await openDurableEmbeddedDatabase(path, { sync });
      try {
        const { rows } = await sql<{ fsync: string; wal_sync_method: string }>`SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS wal_sync_method`.execute(database.db);
        expect(rows[0]).toEqual({ fsync: "on", wal_sync_method: "fsync" });
        await sql`CREATE TABLE kept (v text)`.execute(database.db);
        for (const value of ["one", "two", "three"]) {
          const before = syncs;
          await sql`INSERT INTO kept (v) VALUES (${value})`.execute(database.db);
          expect(syncs).toBeGreaterThan(before);
        }
      } finally {
        await database.close();
      }
      const reopened = await openDurableEmbeddedDatabase(path, { sync });
      try {
        const { rows } = await sql<{ v: string }>`SELECT v FROM kept ORDER BY v`.execute(reopened.db);
        expect(rows.map((r) => r.v)).toEqual(["one", "three", "two"]);
      } finally {
        await reopened.close();
      }
    },
    TIMEOUT,
  );

  it(
    "without it is PGlite as shipped: fsync off (the `-F` it starts Postgres with)",
    async () => {
      const database = await openDatabase({ type: "embedded", path: join(dir, "relaxed") });
      try {
        const { rows } = await sql<{ fsync: string }>`SELECT current_setting('fsync') AS fsync`.execute(database.db);
        expect(rows[0].fsync).toBe("off");
      } finally {
        await database.close();
      }
    },
    TIMEOUT,
  );
});

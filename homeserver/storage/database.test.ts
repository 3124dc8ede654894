import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openTestDatabase, testDrivers, type TestDatabase } from "./test-databases.js";
import { migrateToLatest } from "./migrate.js";
import { PREPARED } from "./prepared-statements.js";

describe.each(testDrivers())("database on %s", (driver) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(driver);
  });
  afterAll(() => test.dispose());

  it("applies migrations once: a second run applies nothing", async () => {
    expect(await migrateToLatest(test.database)).toEqual([]);
  });

  it("runs a statement marked as prepared like any other, and on PostgreSQL as a named prepared statement", async () => {
    const plusOne = (n: number) => sql<{ n: number }>`${sql.raw(PREPARED)} SELECT ${n}::int + 1 AS n`;
    for (let i = 0; i < 3; i++) expect((await plusOne(i).execute(test.database.db)).rows).toEqual([{ n: i + 1 }]);
    await test.database.transaction(async (tx) => {
      // A transaction holds one connection, so the statement is prepared on the connection we look at.
      expect((await plusOne(41).execute(tx)).rows).toEqual([{ n: 42 }]);
      if (driver !== "postgres") return;
      const prepared = await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(tx);
      expect(prepared.rows.filter((r) => r.name.startsWith("myelin_") && r.statement.includes("SELECT $1::int + 1"))).toHaveLength(1);
    });
  });

  it("runs after-commit hooks only after the transaction commits", async () => {
    const seen: string[] = [];
    await test.database.transaction(async (tx) => {
      await tx.insertInto("room_aliases").values({ alias: "#a:x", room_id: "!r:x", creator: "@u:x", created_ts: 1 }).execute();
      test.database.onCommit(tx, () => seen.push("committed"));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(["committed"]);
  });

  it("drops hooks and writes of a transaction that rolls back", async () => {
    const seen: string[] = [];
    await expect(
      test.database.transaction(async (tx) => {
        await tx.insertInto("room_aliases").values({ alias: "#b:x", room_id: "!r:x", creator: "@u:x", created_ts: 1 }).execute();
        test.database.onCommit(tx, () => seen.push("committed"));
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(seen).toEqual([]);
    const rows = await test.database.db.selectFrom("room_aliases").selectAll().where("alias", "=", "#b:x").execute();
    expect(rows).toEqual([]);
  });

  it("returns bigint columns as numbers on both drivers", async () => {
    const { rows } = await sql<{ n: number }>`SELECT 9007199254740::bigint AS n`.execute(test.database.db);
    expect(rows[0].n).toBe(9007199254740);
  });
});

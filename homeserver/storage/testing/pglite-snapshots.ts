import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { Kysely } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import { Database } from "../database.js";
import { migrateToLatest } from "../migrate.js";
import type { Schema } from "../schema.js";

/**
 * Starting PGlite runs initdb inside WebAssembly (about 3 s on this machine); loading a dumped data directory
 * takes about 0.4 s. A test run makes hundreds of embedded databases, so vitest's global set-up dumps two once
 * per run, one empty and one migrated, and each test database starts from a copy. The folder is named in an
 * environment variable that the test workers inherit; without it (a script outside vitest) tests start afresh.
 */
export const SNAPSHOT_DIR_VARIABLE = "MYELIN_TEST_PGLITE_SNAPSHOTS";

export type SnapshotKind = "empty" | "migrated";

/** Dumps both snapshots into a new folder and returns it. */
export async function writePgliteSnapshots(): Promise<string> {
  const dir = join(tmpdir(), `myelin-pglite-snapshots-${randomBytes(6).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  const pglite = new PGlite();
  await pglite.waitReady;
  await writeFile(join(dir, "empty.tar"), Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
  const database = new Database(new Kysely<Schema>({ dialect: new PGliteDialect(pglite) }), "embedded", async () => {});
  await migrateToLatest(database);
  await writeFile(join(dir, "migrated.tar"), Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
  await pglite.close();
  return dir;
}

export async function removePgliteSnapshots(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** This run's snapshot of `kind`, or undefined when there is none (the caller then starts PGlite afresh). */
export function readPgliteSnapshot(kind: SnapshotKind): Blob | undefined {
  const dir = process.env[SNAPSHOT_DIR_VARIABLE];
  if (!dir) return undefined;
  const file = join(dir, `${kind}.tar`);
  if (!existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

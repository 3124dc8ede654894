import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseInUseError, embeddedDatabaseLockPath, lockEmbeddedDatabase } from "./embedded-database-lock.js";
import { removeTemporaryDirectories, temporaryDirectory } from "./testing/cli-process.js";

afterAll(() => removeTemporaryDirectories());

function databasePath(): string {
  return join(temporaryDirectory("myelin-lock-"), "db");
}

/** A pid no process has any more: one that has just exited. */
function exitedPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

describe("the embedded database lock", () => {
  it("lives beside the database folder, not in it (the folder is PGlite's)", () => {
    expect(embeddedDatabaseLockPath("/srv/myelin/data/db")).toBe("/srv/myelin/data/db.lock");
  });

  it("refuses a second holder while the first holds it, naming the first, and admits one after release", async () => {
    const path = databasePath();
    // The holder is a live process other than us: this test's parent (the vitest main process).
    writeFileSync(embeddedDatabaseLockPath(path), JSON.stringify({ pid: process.ppid, host: hostname(), command: "server" }));
    const refused = await lockEmbeddedDatabase(path, "register-user").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseInUseError);
    expect((refused as Error).message).toMatch(new RegExp(`a running Myelin server \\(pid ${process.ppid}\\)`));
  });

  it("records who holds it and removes the file on release", async () => {
    const path = databasePath();
    const lock = await lockEmbeddedDatabase(path, "server");
    expect(JSON.parse(readFileSync(lock.path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname(), command: "server" });
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    const again = await lockEmbeddedDatabase(path, "register-user");
    await again.release();
  });

  it("takes over a lock whose process is gone (a killed server), so a stale lock never blocks", async () => {
    const path = databasePath();
    writeFileSync(embeddedDatabaseLockPath(path), JSON.stringify({ pid: exitedPid(), host: hostname(), command: "server" }));
    const lock = await lockEmbeddedDatabase(path, "register-user");
    expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it.skipIf(!existsSync("/proc/self/stat"))("takes over a lock whose holder was killed and is a zombie not yet reaped by its parent", async () => {
    // `sleep 0` exits at once; its parent has become `sleep 5` (exec), which never reaps it: a zombie.
    const parent = spawn("sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const zombie = Number((await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString())))).trim());
      for (let i = 0; i < 100 && !readFileSync(`/proc/${zombie}/stat`, "utf8").includes(") Z "); i++) await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(`/proc/${zombie}/stat`, "utf8")).toContain(") Z ");
      const path = databasePath();
      writeFileSync(embeddedDatabaseLockPath(path), JSON.stringify({ pid: zombie, host: hostname(), command: "server" }));
      const lock = await lockEmbeddedDatabase(path, "server");
      expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
      await lock.release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("takes over a lock whose pid now belongs to another process (recorded start time differs)", async () => {
    const path = databasePath();
    writeFileSync(embeddedDatabaseLockPath(path), JSON.stringify({ pid: process.ppid, host: hostname(), started: "another-boot:1", command: "server" }));
    const lock = await lockEmbeddedDatabase(path, "server");
    await lock.release();
  });

  it("takes over a lock naming its own pid (a container restarted with the same pid)", async () => {
    const path = databasePath();
    writeFileSync(embeddedDatabaseLockPath(path), JSON.stringify({ pid: process.pid, host: hostname(), started: "earlier-run:1", command: "server" }));
    const lock = await lockEmbeddedDatabase(path, "server");
    await lock.release();
  });

  it("takes over a garbled lock file", async () => {
    const path = databasePath();
    writeFileSync(embeddedDatabaseLockPath(path), "");
    const lock = await lockEmbeddedDatabase(path, "server");
    await lock.release();
  });

  it("counts a lock from another host as held while its holder refreshes it, and as stale once it stops", async () => {
    const path = databasePath();
    const lockPath = embeddedDatabaseLockPath(path);
    writeFileSync(lockPath, JSON.stringify({ pid: 1, host: "another-container", command: "server" }));
    await expect(lockEmbeddedDatabase(path, "register-user")).rejects.toThrow(/pid 1 on another-container/);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(lockPath, longAgo, longAgo);
    const lock = await lockEmbeddedDatabase(path, "register-user");
    await lock.release();
  });

  it("does not remove a lock someone else has taken over since", async () => {
    const path = databasePath();
    const lock = await lockEmbeddedDatabase(path, "server");
    writeFileSync(lock.path, JSON.stringify({ pid: process.ppid, host: hostname(), command: "server" }));
    await lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });
});

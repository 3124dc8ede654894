import { readFileSync } from "node:fs";
import { link, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { StartupError } from "./startup-error.js";

/**
 * PGlite is one process's database: a second process opening the same folder works on its own copy, and
 * what it writes the first never sees (and may overwrite). So whoever opens the embedded database (the
 * server, register-user, migrate) first takes this lock, a file beside the database folder naming its pid.
 *
 * A lock whose holder is gone (killed, crashed) is taken over. On this host that is known exactly: the pid
 * is alive and is still the process that wrote the file (Linux start time, so a reused pid does not count).
 * A holder on another host (another container sharing the volume) cannot be asked, so a holder refreshes the
 * file's time while it runs and a lock left unrefreshed for STALE_AFTER_MS counts as stale.
 */
const REFRESH_EVERY_MS = 10_000;
const STALE_AFTER_MS = 60_000;

interface Holder {
  pid: number;
  host: string;
  /** Linux: the process's start time in clock ticks after boot, with the boot id; absent elsewhere. */
  started?: string;
  command: string;
}

export interface EmbeddedDatabaseLock {
  readonly path: string;
  release(): Promise<void>;
}

export class DatabaseInUseError extends StartupError {
  override name = "DatabaseInUseError";
  constructor(
    readonly lockPath: string,
    readonly holder: Holder,
    databasePath: string,
  ) {
    super(
      `the embedded database at ${databasePath} is in use by ${describe(holder)} (lock file ${lockPath}); ` +
        "a second process would work on a copy the first never sees",
    );
  }
}

/** The lock file beside the database folder (the folder itself is PGlite's): ./data/db -> ./data/db.lock. */
export function embeddedDatabaseLockPath(databasePath: string): string {
  const absolute = resolve(databasePath);
  return join(dirname(absolute), `${basename(absolute)}.lock`);
}

/** Takes the lock for `command` ("server", "register-user", ...) or throws DatabaseInUseError. */
export async function lockEmbeddedDatabase(databasePath: string, command: string): Promise<EmbeddedDatabaseLock> {
  const path = embeddedDatabaseLockPath(databasePath);
  const me: Holder = { pid: process.pid, host: hostname(), started: startTimeOf(process.pid), command };
  // Written whole under another name and linked into place: another process never reads a half-written lock.
  const draft = `${path}.${process.pid}.tmp`;
  await writeFile(draft, JSON.stringify(me), { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await createFrom(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 2) throw error;
      }
      const holder = await readHolder(path);
      if (holder && (await isHeld(path, holder))) throw new DatabaseInUseError(path, holder, databasePath);
      await unlink(path).catch(ignoreMissing);
    }
  } finally {
    await unlink(draft).catch(ignoreMissing);
  }
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => {});
  }, REFRESH_EVERY_MS);
  refresh.unref();
  return {
    path,
    release: async () => {
      clearInterval(refresh);
      // Only our own: a lock taken over from us (we were thought dead) is not ours to remove.
      const holder = await readHolder(path);
      if (holder?.pid === me.pid && holder.host === me.host) await unlink(path).catch(ignoreMissing);
    },
  };
}

/** Creates `path` with the draft's content, failing with EEXIST when it exists. */
async function createFrom(draft: string, path: string): Promise<void> {
  try {
    await link(draft, path);
  } catch (error) {
    // File systems without hard links: exclusive create, with a moment where the file is still empty.
    if (!["EPERM", "ENOTSUP", "ENOSYS"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    await writeFile(path, await readFile(draft), { flag: "wx", mode: 0o644 });
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<Holder>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return { pid: parsed.pid, host: parsed.host, started: parsed.started, command: String(parsed.command ?? "myelin") };
  } catch {
    // Gone meanwhile, or not a lock we wrote: nothing holds it.
    return undefined;
  }
}

async function isHeld(path: string, holder: Holder): Promise<boolean> {
  if (holder.host !== hostname()) {
    const modified = await stat(path).then((s) => s.mtimeMs, () => 0);
    return Date.now() - modified < STALE_AFTER_MS;
  }
  // A container restarted with the same pid as its previous run: that earlier holder is us.
  if (holder.pid === process.pid) return false;
  if (!isAlive(holder.pid) || isZombie(holder.pid)) return false;
  return holder.started === undefined || holder.started === startTimeOf(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A killed process stays a zombie until its parent reaps it (a slow parent, or a container's pid 1 that never
 * reaps): it holds no file and writes nothing any more, so its lock is stale.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

/** Boot id and start time of a process on Linux: together they name it even after its pid is reused. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${bootId}:${fields[19]}`;
  } catch {
    return undefined;
  }
}

function describe(holder: Holder): string {
  const what = holder.command === "server" ? "a running Myelin server" : `myelin ${holder.command}`;
  return `${what} (pid ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`})`;
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}

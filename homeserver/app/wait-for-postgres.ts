import pg from "pg";
import type { Logger } from "../core/logger.js";
import { StartupError } from "./startup-error.js";

/** One attempt may not hang on an address that drops packets. */
const ATTEMPT_TIMEOUT_MS = 5_000;
const PAUSE_BETWEEN_ATTEMPTS_MS = 1_000;

/**
 * Errors that may go away on their own: the server is not up yet (a container starting beside us), is
 * starting or shutting down, or has no connection slot free. Anything else (a wrong password, a missing
 * database) will not fix itself, so it ends the wait at once.
 */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P03", // cannot_connect_now: starting up
  "57P01", // admin_shutdown
  "53300", // too_many_connections
]);

/**
 * Connects once to check PostgreSQL answers, retrying transient failures for `retryMs` (logging each),
 * then gives up with one line naming the server (never the password) and the last error.
 */
export async function waitForPostgres(url: string, options: { retryMs: number; logger: Logger }): Promise<void> {
  const deadline = Date.now() + options.retryMs;
  const where = describeServer(url);
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: ATTEMPT_TIMEOUT_MS });
    // A connection the server drops during the attempt is reported by the attempt itself.
    client.on("error", () => {});
    try {
      await client.connect();
      await client.end();
      if (attempt > 1) options.logger.info({ attempt }, `PostgreSQL at ${where} is reachable`);
      return;
    } catch (error) {
      await client.end().catch(() => {});
      const reason = reasonOf(error);
      const transient = TRANSIENT_CODES.has(codeOf(error)) || /timeout/i.test(reason);
      const remaining = deadline - Date.now();
      if (!transient) throw new StartupError(`cannot use PostgreSQL at ${where}: ${reason}`);
      if (remaining <= 0) {
        throw new StartupError(`cannot reach PostgreSQL at ${where} after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${reason}`);
      }
      options.logger.warn(
        { attempt, retry_for_ms: remaining },
        `PostgreSQL at ${where} is not reachable yet (${reason}); retrying (database.connect_retry_ms)`,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(PAUSE_BETWEEN_ATTEMPTS_MS, remaining)));
    }
  }
}

/** host:port/database from a connection URL, without the credentials. */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}${parsed.pathname.length > 1 ? parsed.pathname : ""}`;
  } catch {
    return "the configured database.url";
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  return error instanceof AggregateError && error.errors.length > 0 ? codeOf(error.errors[0]) : "";
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  return message || code || "unknown error";
}

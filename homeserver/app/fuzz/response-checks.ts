import type { LightMyRequestResponse } from "fastify";
import { errors, isMatrixError } from "../../errors.js";

/**
 * The statuses each error code may come with: those of the catalogue's own constructors, plus the few the
 * spec gives a second status. Codes outside the catalogue only need to be a 4xx.
 */
function catalogueStatuses(): Map<string, Set<number>> {
  const byCode = new Map<string, Set<number>>();
  for (const make of Object.values(errors) as Array<(...args: unknown[]) => unknown>) {
    const error = make("x");
    if (!isMatrixError(error)) continue;
    if (!byCode.has(error.errcode)) byCode.set(error.errcode, new Set());
    byCode.get(error.errcode)!.add(error.status);
  }
  // Server-controlled account data is 405 M_BAD_JSON (PUT /user/{userId}/account_data/{type}).
  byCode.get("M_BAD_JSON")?.add(405);
  // A known path with the wrong method.
  byCode.get("M_UNRECOGNIZED")?.add(405);
  // The catch-all code: its status is whatever the condition calls for.
  byCode.delete("M_UNKNOWN");
  return byCode;
}

const STATUSES = catalogueStatuses();

/** What is wrong with an answer to a malformed request, or undefined when it is a proper answer. */
export function answerProblem(method: string, response: LightMyRequestResponse): string | undefined {
  const status = response.statusCode;
  if (status >= 500) return `${status} server error`;
  if (status < 400 || method === "HEAD") return undefined;
  const type = String(response.headers["content-type"] ?? "");
  if (!type.startsWith("application/json")) return `${status} with Content-Type "${type}", not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return `${status} with a body that is not JSON`;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return `${status} with a body that is not a JSON object`;
  const { errcode, error, flows } = body as Record<string, unknown>;
  // User-interactive auth answers 401 with its flows; errcode and error appear only after a failed stage.
  if (status === 401 && Array.isArray(flows) && errcode === undefined) return undefined;
  if (typeof errcode !== "string" || !/^[A-Za-z][A-Za-z0-9_.]*$/.test(errcode)) return `${status} without a Matrix errcode`;
  if (typeof error !== "string") return `${status} ${errcode} without an error message`;
  const allowed = STATUSES.get(errcode);
  if (allowed && !allowed.has(status)) return `${errcode} with status ${status}, expected ${[...allowed].join(" or ")}`;
  return undefined;
}

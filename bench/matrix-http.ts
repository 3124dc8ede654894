import { Pool } from "undici";

/** A Matrix client-server API error with the status, errcode and request it came from. */
export class MatrixHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path.split("?")[0]} answered ${status}: ${body.slice(0, 300)}`);
  }
  get errcode(): string | undefined {
    try {
      return (JSON.parse(this.body) as { errcode?: string }).errcode;
    } catch {
      return undefined;
    }
  }
}

export interface Session {
  userId: string;
  accessToken: string;
}

/** Opens a keep-alive pool to the server; `connections` bounds parallel requests (one per long-poll). */
export function openPool(baseUrl: string, connections: number): Pool {
  return new Pool(baseUrl, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
    // Long-polls wait up to the sync timeout before any byte arrives.
    headersTimeout: 90_000,
    bodyTimeout: 90_000,
  });
}

/** One request; resolves with the parsed JSON body of a 2xx answer, throws MatrixHttpError otherwise. */
export async function call<T>(
  pool: Pool,
  method: "GET" | "POST" | "PUT",
  path: string,
  options: { token?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await pool.request({ method, path, headers, body, signal: options.signal });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300) throw new MatrixHttpError(method, path, response.statusCode, text);
  return JSON.parse(text) as T;
}

/**
 * POST /register with the dummy stage. The spec lets a client send `auth` straight away; a server that first
 * wants a UIA session answers 401 with `session`, and we retry once inside it.
 */
export async function register(pool: Pool, username: string, password: string): Promise<Session> {
  const path = "/_matrix/client/v3/register";
  const request = { username, password, initial_device_display_name: "bench" };
  let result: { user_id: string; access_token?: string };
  try {
    result = await call(pool, "POST", path, { body: { ...request, auth: { type: "m.login.dummy" } } });
  } catch (error) {
    if (!(error instanceof MatrixHttpError) || error.status !== 401) throw error;
    const session = (JSON.parse(error.body) as { session?: string }).session;
    if (!session) throw error;
    result = await call(pool, "POST", path, { body: { ...request, auth: { type: "m.login.dummy", session } } });
  }
  if (!result.access_token) throw new Error(`register ${username}: no access_token in the answer`);
  return { userId: result.user_id, accessToken: result.access_token };
}

export async function createRoom(pool: Pool, session: Session, name: string): Promise<string> {
  const result = await call<{ room_id: string }>(pool, "POST", "/_matrix/client/v3/createRoom", {
    token: session.accessToken,
    body: { preset: "public_chat", name, visibility: "private" },
  });
  return result.room_id;
}

export async function joinRoom(pool: Pool, session: Session, roomId: string): Promise<void> {
  await call(pool, "POST", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/join`, { token: session.accessToken, body: {} });
}

export async function sendMessage(pool: Pool, session: Session, roomId: string, txnId: string, content: object): Promise<string> {
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${encodeURIComponent(txnId)}`;
  const result = await call<{ event_id: string }>(pool, "PUT", path, { token: session.accessToken, body: content });
  return result.event_id;
}

export interface SyncResponse {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline?: { events?: Array<{ type: string; content?: { bench_seq?: unknown } }>; limited?: boolean } }>;
  };
}

/** The path of a /sync call; `filter` is an inline JSON filter (the spec allows a filter ID or JSON). */
export function syncPath(filter: string, since: string | null, timeoutMs: number): string {
  let path = `/_matrix/client/v3/sync?timeout=${timeoutMs}&filter=${encodeURIComponent(filter)}`;
  if (since !== null) path += `&since=${encodeURIComponent(since)}`;
  return path;
}

/** Runs `task` over `items` with at most `limit` in flight; the first error rejects after in-flight ones settle. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index], index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
  return results;
}

import { createClient, MatrixScheduler, type ICreateClientOpts, type MatrixClient } from "matrix-js-sdk";
import { logger as sdkRootLogger, type Logger } from "matrix-js-sdk/lib/logger.js";
import { homeserverUrl } from "./homeserver-under-test.js";
import { validatingFetch } from "./validating-fetch.js";

// The SDK logs every request; only its warnings and errors are worth seeing in test output.
const quietLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (...msg) => console.warn(...msg),
  error: (...msg) => console.error(...msg),
  getChild: () => quietLogger,
};
// Some SDK parts (the send scheduler) log through the root logger, a loglevel logger with a setLevel the
// SDK's types do not declare.
(sdkRootLogger as unknown as { setLevel?: (level: string) => void }).setLevel?.("warn");

export interface Credentials {
  userId: string;
  accessToken: string;
  deviceId: string;
}

/**
 * A matrix-js-sdk client for raw API calls (no sync loop). Its scheduler never retries: a retried send would
 * hide a 5xx from the server under test.
 */
export function createMatrixClient(credentials?: Credentials, options: Partial<ICreateClientOpts> = {}): MatrixClient {
  return createMatrixClientAt(homeserverUrl(), validatingFetch, credentials, options);
}

/** The same kind of client for a given server and fetch (the federation suite talks to several servers). */
export function createMatrixClientAt(baseUrl: string, fetchFn: typeof fetch, credentials?: Credentials, options: Partial<ICreateClientOpts> = {}): MatrixClient {
  return createClient({
    baseUrl,
    fetchFn,
    scheduler: new MatrixScheduler(() => -1),
    logger: quietLogger,
    ...options,
    ...credentials,
  });
}

import { MatrixError } from "../../homeserver/errors.js";

/** The peer answered, but not with success. */
export class FederationRequestError extends Error {
  override name = "FederationRequestError";
  constructor(
    readonly destination: string,
    readonly status: number,
    readonly errcode: string | undefined,
    readonly body: unknown,
  ) {
    super(`${destination} answered ${status}${errcode ? ` ${errcode}` : ""}`);
  }
}

/** We could not get an answer: discovery failed, every address was blocked or unreachable, or it timed out. */
export class FederationConnectionError extends Error {
  override name = "FederationConnectionError";
  constructor(
    readonly destination: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${destination}: ${message}`, options);
  }
}

/**
 * What a client of ours should see when a request to another server fails: the peer's own 4xx error as it
 * gave it, and 502 M_UNKNOWN when it could not be reached or failed itself (never a 500 of ours).
 */
export function toClientFacingError(error: unknown): unknown {
  if (error instanceof FederationRequestError) {
    if (error.status >= 400 && error.status < 500) {
      const message = (error.body as { error?: unknown } | undefined)?.error;
      return new MatrixError(error.errcode ?? "M_UNKNOWN", typeof message === "string" ? message : error.message, error.status);
    }
    return new MatrixError("M_UNKNOWN", `${error.destination} failed to answer: ${error.message}`, 502);
  }
  if (error instanceof FederationConnectionError) {
    // A name that cannot be a server was never looked up: the client named it, so it is the client's error.
    if ((error.cause as Error | undefined)?.name === "ServerNameError") return new MatrixError("M_INVALID_PARAM", `Invalid server name ${error.destination.slice(0, 100)}`, 400);
    return new MatrixError("M_UNKNOWN", `Could not reach ${error.destination}`, 502);
  }
  return error;
}

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

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors, isMatrixError, MatrixError } from "../../errors.js";
import type { Logger } from "../../core/logger.js";

const METHODS = ["GET", "POST", "PUT", "DELETE"] as const;

/** Maps what Fastify raises to the spec's errors, so client input never surfaces as a 500. */
export function toMatrixError(error: FastifyError, bodyPresent = true): MatrixError | undefined {
  if (isMatrixError(error)) return error;
  if (error.validation) {
    const first = error.validation[0];
    const part = error.validationContext;
    // No body at all is "not JSON"; valid JSON of the wrong shape (an array, a string) is "bad JSON".
    if (part === "body" && first?.keyword === "type" && first.instancePath === "") {
      return bodyPresent ? errors.badJson("Content must be a JSON object") : errors.notJson();
    }
    if (first?.keyword === "required") {
      const missing = (first.params as { missingProperty?: string }).missingProperty;
      return part === "body" ? errors.badJson(`Missing property ${missing}`) : errors.missingParam(`Missing ${part} parameter ${missing}`);
    }
    const where = `${first?.instancePath || ""}`.replace(/^\//, "").replace(/\//g, ".");
    const message = `${part}${where ? `.${where}` : ""} ${first?.message ?? "is invalid"}`;
    return part === "body" ? errors.badJson(message) : errors.invalidParam(message);
  }
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return errors.notJson();
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return errors.tooLarge();
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return errors.notJson("Unsupported content type");
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new MatrixError("M_UNKNOWN", error.message, error.statusCode);
  }
  return undefined;
}

/**
 * Fastify refuses some URLs before routing, where no error handler runs: percent-encoding that does not
 * decode to UTF-8 (FST_ERR_BAD_URL) and a path parameter longer than the router allows
 * (FST_ERR_MAX_PARAM_LENGTH; no Matrix id is that long). Passed as the `frameworkErrors` server option, this
 * answers them as the Matrix errors they are instead of Fastify's own JSON.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  let matrixError: MatrixError;
  switch (error.code) {
    case "FST_ERR_BAD_URL":
      matrixError = errors.invalidParam("The path is not valid percent-encoded UTF-8");
      break;
    case "FST_ERR_MAX_PARAM_LENGTH":
      matrixError = errors.invalidParam("A path parameter is too long");
      break;
    default:
      // FST_ERR_ASYNC_CONSTRAINT: a route constraint failed, which is ours to fix, not the client's.
      matrixError = toMatrixError(error) ?? new MatrixError("M_UNKNOWN", "Internal server error", 500);
  }
  void reply.status(matrixError.status).send(matrixError.toJSON());
}

export function installErrorHandling(app: FastifyInstance, logger: Pick<Logger, "error">): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const matrixError = toMatrixError(error, request.body !== undefined);
    if (matrixError) {
      if (matrixError.status === 429) {
        const seconds = Math.ceil(Number(matrixError.extra.retry_after_ms ?? 1000) / 1000);
        void reply.header("Retry-After", String(seconds));
      }
      return reply.status(matrixError.status).send(matrixError.toJSON());
    }
    // Log the route, never the URL: query strings can carry access tokens.
    logger.error({ err: error, method: request.method, route: request.routeOptions.url }, "unhandled error");
    return reply.status(500).send({ errcode: "M_UNKNOWN", error: "Internal server error" });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0];
    const otherMethod = METHODS.some((m) => m !== request.method && app.findRoute({ method: m, url: path }) !== null);
    const error = otherMethod ? errors.unrecognized("Method not allowed", 405) : errors.unrecognized();
    return reply.status(error.status).send(error.toJSON());
  });
}

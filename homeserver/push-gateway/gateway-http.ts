import { Ajv, type ErrorObject } from "ajv";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { NOTIFY_PATH, notifyRequestSchema, type NotifyRequest } from "../../schemas/push-gateway/notify.js";
import type { Logger } from "../core/logger.js";
import { RetryLaterError, type NotifyService } from "./notify-service.js";

/** A notification is an event's few fields and its content, which Matrix caps at 64 KiB per event. */
const MAX_BODY_BYTES = 256 * 1024;

const ajv = new Ajv({ allErrors: false, strict: false });
const validateNotify = ajv.compile<NotifyRequest>(notifyRequestSchema);

function describe(error: ErrorObject | undefined): string {
  if (!error) return "invalid notification";
  const where = error.instancePath.replace(/^\//, "").replace(/\//g, ".") || "body";
  return `${where}: ${error.message ?? "invalid"}`;
}

const matrixError = (errcode: string, error: string) => ({ errcode, error });

/** The Push Gateway API over HTTP: POST /_matrix/push/v1/notify, and GET /health for load balancers. */
export function buildPushGatewayHttp(service: NotifyService, logger: Logger): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });

  app.post(NOTIFY_PATH, async (request, reply) => {
    if (!validateNotify(request.body)) return reply.code(400).send(matrixError("M_BAD_JSON", describe(validateNotify.errors?.[0])));
    const { notification } = request.body;
    try {
      const answer = await service.notify(notification);
      logger.info({ event_id: notification.event_id, devices: notification.devices.length, rejected: answer.rejected.length }, "notification handled");
      return answer;
    } catch (error) {
      if (!(error instanceof RetryLaterError)) throw error;
      // Sygnal's answer too: a gateway error, so that the homeserver retries (with backoff) later.
      logger.warn({ event_id: notification.event_id, reason: error.message }, "notification not delivered yet: answering 502");
      return reply.code(502).send(matrixError("M_UNKNOWN", "a push service failed; retry later"));
    }
  });

  app.get("/health", async (_request, reply) => reply.code(200).send(""));

  app.setNotFoundHandler((_request, reply) => reply.code(404).send(matrixError("M_UNRECOGNIZED", "Unrecognized request")));

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).send(matrixError("M_TOO_LARGE", "request body too large"));
    if (status >= 400 && status < 500) return reply.code(status === 415 ? 415 : 400).send(matrixError("M_NOT_JSON", "the body must be a JSON object"));
    logger.error({ err: error }, "notify failed");
    return reply.code(500).send(matrixError("M_UNKNOWN", "internal error"));
  });

  return app;
}
